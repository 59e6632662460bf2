/**
 * Random-label MNIST (concept shift), as described by Kumar, Marklund & Van Roy, "Maintaining
 * Plasticity in Continual Learning via Regenerative Regularization" (L2 Init, §4.2), after Lyle et
 * al. 2023: a fixed random subset of 1,200 training images (pixels /255); every task assigns each
 * image a fresh uniformly random label in 0–9 and trains `epochsPerTask` = 400 epochs on it, each
 * epoch a fresh shuffle of the subset. The paper gives no code; the batch of 16 is the learner's
 * business, so a task here is counted in examples (1,200 × 400 = 480,000 = 30,000 steps of 16).
 */
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { BaseStream, hashInts, requirePositiveInteger, writeOneHot } from './stream.ts';
import { loadMnist, PIXEL_SCALE } from './mnist-reader.ts';
import { drawPool } from './permuted-mnist.ts';

export type RandomLabelOptions = {
  /** Seeds the subset, the labels and the epoch orders. Default 0. */
  seed: number;
  /** Images in the fixed subset. Default 1,200. */
  numImages: number;
  /** Passes over the subset per task. Default 400. */
  epochsPerTask: number;
  /** Labels are drawn uniformly from 0 … numClasses−1. Default 10. */
  numClasses: number;
};

export const RANDOM_LABEL_DEFAULTS: RandomLabelOptions = { seed: 0, numImages: 1200, epochsPerTask: 400, numClasses: 10 };

export class RandomLabelStream extends BaseStream {
  readonly id: string;
  readonly kind = 'classification' as const;
  readonly inputSize = 784;
  readonly targetSize: number;
  override readonly numClasses: number;
  readonly options: RandomLabelOptions;
  /** The subset's images, scaled, row-major `[numImages × 784]`. */
  private readonly images: Float32Array;
  /** One view per image into `images`, made once so that copying a row allocates nothing. */
  private readonly imageRows: Float32Array[];
  /** Training-set index of each subset image. */
  readonly imageIndices: Int32Array;
  private readonly labels: Int32Array;
  private readonly order: Int32Array;
  private readonly taskRng: Rng;
  private readonly epochRng: Rng;
  private taskStartState: RngState;
  private epochStartState: RngState;

  constructor(options: Partial<RandomLabelOptions> = {}, id = 'random-label-mnist') {
    const resolved = { ...RANDOM_LABEL_DEFAULTS, ...options };
    requirePositiveInteger('numImages', resolved.numImages);
    requirePositiveInteger('epochsPerTask', resolved.epochsPerTask);
    super(resolved.numImages * resolved.epochsPerTask);
    if (!Number.isFinite(resolved.seed)) throw new PlasticdError('invalid_stream_option', `seed must be a finite number, got ${resolved.seed}`);
    requirePositiveInteger('numClasses', resolved.numClasses);
    this.id = id;
    this.options = resolved;
    this.numClasses = resolved.numClasses;
    this.targetSize = resolved.numClasses;
    const data = loadMnist('train');
    if (resolved.numImages > data.count) {
      throw new PlasticdError('invalid_stream_option', `numImages must be at most ${data.count}, got ${resolved.numImages}`);
    }
    const root = new Rng(resolved.seed);
    this.imageIndices = drawPool(root.fork(), data.count, resolved.numImages);
    this.images = new Float32Array(resolved.numImages * 784);
    for (let k = 0; k < resolved.numImages; k++) {
      const base = this.imageIndices[k] * 784;
      for (let p = 0; p < 784; p++) this.images[k * 784 + p] = PIXEL_SCALE[data.pixels[base + p]];
    }
    this.imageRows = Array.from({ length: resolved.numImages }, (_, k) => this.images.subarray(k * 784, k * 784 + 784));
    this.labels = new Int32Array(resolved.numImages);
    this.order = new Int32Array(resolved.numImages);
    this.taskRng = root.fork();
    this.epochRng = root.fork();
    this.taskStartState = this.taskRng.state();
    this.epochStartState = this.epochRng.state();
    this.enterTask();
  }

  get params(): Record<string, unknown> {
    return { task: this.currentTask, labelHash: hashInts(this.labels) };
  }

  /** The current task's label of each subset image (a copy). */
  currentLabels(): Int32Array {
    return this.labels.slice();
  }

  protected enterTask(): void {
    this.taskStartState = this.taskRng.state();
    for (let k = 0; k < this.labels.length; k++) this.labels[k] = this.taskRng.int(this.numClasses);
  }

  protected writeExample(
    indexInTask: number,
    input: Float32Array,
    inputOffset: number,
    target: Float32Array,
    targetOffset: number,
  ): number {
    const n = this.order.length;
    const slot = indexInTask % n;
    if (slot === 0) this.startEpoch();
    const k = this.order[slot];
    input.set(this.imageRows[k], inputOffset);
    const label = this.labels[k];
    writeOneHot(target, targetOffset, this.numClasses, label);
    return label;
  }

  protected captureExtra(): { rngs: Record<string, RngState>; extra: Record<string, unknown> } {
    return { rngs: { taskStart: this.taskStartState, epochStart: this.epochStartState }, extra: {} };
  }

  protected applyExtra(rngs: Record<string, RngState>): void {
    if (!rngs.taskStart || !rngs.epochStart) {
      throw new PlasticdError('stream_state_invalid', `${this.id}: state lacks the task or epoch RNG state`);
    }
    this.taskRng.restore(rngs.taskStart);
    this.enterTask();
    this.epochRng.restore(rngs.epochStart);
    // Before the first example no epoch has begun; otherwise rebuild the order of the running epoch.
    if (this.currentPosition > 0) this.startEpoch();
  }

  private startEpoch(): void {
    this.epochStartState = this.epochRng.state();
    this.epochRng.permutation(this.order.length, this.order);
  }
}
