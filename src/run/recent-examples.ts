/**
 * The most recent labelled examples of a supervised stream, kept so that the monitor's reset
 * audit can measure the realised change of the *loss* (not only of the output) when it resets
 * units on a copy of the network. A preallocated ring; `push` copies rows and allocates nothing.
 */
import type { HeldOutBatch } from '../../monitoring/monitor.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../nn/losses.ts';
import { PlasticdError } from '../util/errors.ts';

export interface RecentExamplesState {
  count: number;
  next: number;
  inputs: Float32Array;
  targets: Float32Array;
  labels: Int32Array | null;
}

export class RecentExamples {
  private readonly inputs: Float32Array;
  private readonly targets: Float32Array;
  private readonly labels: Int32Array | null;
  private count = 0;
  private next = 0;

  constructor(
    readonly inputSize: number,
    readonly targetSize: number,
    readonly capacity: number,
    readonly classification: boolean,
  ) {
    this.inputs = new Float32Array(capacity * inputSize);
    this.targets = new Float32Array(capacity * targetSize);
    this.labels = classification ? new Int32Array(capacity) : null;
  }

  get size(): number {
    return this.count;
  }

  /** Appends `batchSize` rows; the oldest make room. */
  push(inputs: Float32Array, targets: Float32Array, labels: Int32Array | undefined, batchSize: number): void {
    for (let b = Math.max(0, batchSize - this.capacity); b < batchSize; b++) {
      const slot = this.next;
      this.inputs.set(inputs.subarray(b * this.inputSize, (b + 1) * this.inputSize), slot * this.inputSize);
      this.targets.set(targets.subarray(b * this.targetSize, (b + 1) * this.targetSize), slot * this.targetSize);
      if (this.labels && labels) this.labels[slot] = labels[b];
      this.next = (this.next + 1) % this.capacity;
      if (this.count < this.capacity) this.count++;
    }
  }

  /** The held rows, oldest first, with the learner's loss on them; null when empty. */
  heldOut(): HeldOutBatch | null {
    const n = this.count;
    if (n === 0) return null;
    const order = (rows: ArrayLike<number>, width: number, out: Float32Array | Int32Array) => {
      const start = n < this.capacity ? 0 : this.next;
      for (let k = 0; k < n; k++) {
        const slot = (start + k) % this.capacity;
        for (let j = 0; j < width; j++) out[k * width + j] = rows[slot * width + j];
      }
      return out;
    };
    const input = order(this.inputs, this.inputSize, new Float32Array(n * this.inputSize)) as Float32Array;
    const loss = this.labels
      ? softmaxCrossEntropy(order(this.labels, 1, new Int32Array(n)) as Int32Array)
      : meanSquaredError(order(this.targets, this.targetSize, new Float32Array(n * this.targetSize)));
    return { input, batchSize: n, loss };
  }

  state(): RecentExamplesState {
    return { count: this.count, next: this.next, inputs: this.inputs.slice(), targets: this.targets.slice(), labels: this.labels ? this.labels.slice() : null };
  }

  restore(state: RecentExamplesState): void {
    if (state.inputs.length !== this.inputs.length || state.targets.length !== this.targets.length || (state.labels === null) !== (this.labels === null)) {
      throw new PlasticdError('run_state_mismatch', 'the saved recent examples have another shape than this run’s stream and probe size');
    }
    this.inputs.set(state.inputs);
    this.targets.set(state.targets);
    if (this.labels && state.labels) this.labels.set(state.labels);
    this.count = state.count;
    this.next = state.next;
  }
}
