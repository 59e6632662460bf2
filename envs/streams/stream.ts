/**
 * The supervised-stream contract: the continual-learning counterpart of an `Env`. A stream hands out
 * one labelled example at a time (or a batch), moves to a new task every `examplesPerTask` examples
 * and reports the change as `shift = {kind: 'task', params}` on the first example of the new task,
 * the way nonstationary env wrappers report `info.shift`. All randomness comes from `Rng`s seeded
 * from the `seed` option; `streamState()` / `restoreStreamState()` resume a stream bit for bit.
 */
import type { RngState } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';

export type StreamKind = 'regression' | 'classification';

export interface StreamShift {
  kind: 'task';
  /** The new task's parameters (the same summary as `Stream.params`). */
  params: Record<string, unknown>;
}

export interface StreamExample {
  input: Float32Array;
  /** Regression targets, or a one-hot row for classification. */
  target: Float32Array;
  /** Class index (classification only). */
  label?: number;
  task: number;
  /** Set on the first example of every task after the first. */
  shift?: StreamShift;
}

export interface StreamBatch {
  /** Row-major `[n × inputSize]`. */
  inputs: Float32Array;
  /** Row-major `[n × targetSize]`. */
  targets: Float32Array;
  /** Class indices (classification only). */
  labels?: Int32Array;
  /** Task index of each row. */
  tasks: Int32Array;
  /** Rows that start a new task, in order. */
  shifts: Array<{ index: number; shift: StreamShift }>;
}

/** A JSON-able snapshot: counters, RNG states and whatever the stream needs to rebuild its task. */
export interface StreamState {
  id: string;
  /** The stream's resolved options; a state only restores into a stream built with the same ones. */
  options: Record<string, unknown>;
  /** Examples handed out so far. */
  position: number;
  task: number;
  rngs: Record<string, RngState>;
  /** Stream-specific task data (small: bits, or the RNG state a task was drawn from). */
  extra: Record<string, unknown>;
}

export interface Stream {
  readonly id: string;
  readonly kind: StreamKind;
  readonly inputSize: number;
  readonly targetSize: number;
  readonly numClasses?: number;
  readonly examplesPerTask: number;
  /** Task of the most recent example (0 before the first one). */
  readonly task: number;
  /** Examples handed out so far. */
  readonly position: number;
  /** Current task parameters, a small JSON-able summary. */
  readonly params: Record<string, unknown>;
  /** The resolved options the stream was built with (defaults filled in). */
  readonly options: Record<string, unknown>;
  next(): StreamExample;
  /** Fills `out` when given (its arrays must have exactly n rows) so the hot path allocates nothing. */
  nextBatch(n: number, out?: StreamBatch): StreamBatch;
  /** A batch buffer of n rows to pass back into `nextBatch`. */
  allocateBatch(n: number): StreamBatch;
  streamState(): StreamState;
  restoreStreamState(state: StreamState): void;
}

/**
 * Bookkeeping shared by all streams: position, task boundaries, shifts, batches and the state
 * envelope. A subclass draws a task's parameters in `enterTask` and writes one example in
 * `writeExample`; it must call `this.enterTask(0)` at the end of its constructor.
 */
export abstract class BaseStream implements Stream {
  abstract readonly id: string;
  abstract readonly kind: StreamKind;
  abstract readonly inputSize: number;
  abstract readonly targetSize: number;
  readonly numClasses?: number;
  abstract readonly options: Record<string, unknown>;
  abstract readonly params: Record<string, unknown>;
  protected currentPosition = 0;
  protected currentTask = 0;

  constructor(readonly examplesPerTask: number) {
    requirePositiveInteger('examplesPerTask', examplesPerTask);
  }

  get task(): number {
    return this.currentTask;
  }

  get position(): number {
    return this.currentPosition;
  }

  /** Draws the parameters of `task` (called in order 0, 1, 2, …, and again on restore). */
  protected abstract enterTask(task: number): void;

  /** Writes example number `indexInTask` of the current task; returns its class index, or -1. */
  protected abstract writeExample(
    indexInTask: number,
    input: Float32Array,
    inputOffset: number,
    target: Float32Array,
    targetOffset: number,
  ): number;

  protected abstract captureExtra(): { rngs: Record<string, RngState>; extra: Record<string, unknown> };
  /** Puts RNGs and task data back so that the next example continues the saved run. */
  protected abstract applyExtra(rngs: Record<string, RngState>, extra: Record<string, unknown>, task: number): void;

  next(): StreamExample {
    const input = new Float32Array(this.inputSize);
    const target = new Float32Array(this.targetSize);
    const shift = this.advance();
    const label = this.writeExample(this.currentPosition % this.examplesPerTask, input, 0, target, 0);
    this.currentPosition++;
    const example: StreamExample = { input, target, task: this.currentTask };
    if (label >= 0) example.label = label;
    if (shift) example.shift = shift;
    return example;
  }

  nextBatch(n: number, out?: StreamBatch): StreamBatch {
    requirePositiveInteger('batch size', n);
    const batch = out ?? this.allocateBatch(n);
    this.checkBatch(batch, n);
    batch.shifts.length = 0;
    const { inputSize, targetSize } = this;
    for (let row = 0; row < n; row++) {
      const shift = this.advance();
      if (shift) batch.shifts.push({ index: row, shift });
      const label = this.writeExample(
        this.currentPosition % this.examplesPerTask,
        batch.inputs,
        row * inputSize,
        batch.targets,
        row * targetSize,
      );
      if (batch.labels) batch.labels[row] = label;
      batch.tasks[row] = this.currentTask;
      this.currentPosition++;
    }
    return batch;
  }

  /** A batch buffer of n rows to pass back into `nextBatch`. */
  allocateBatch(n: number): StreamBatch {
    const batch: StreamBatch = {
      inputs: new Float32Array(n * this.inputSize),
      targets: new Float32Array(n * this.targetSize),
      tasks: new Int32Array(n),
      shifts: [],
    };
    if (this.kind === 'classification') batch.labels = new Int32Array(n);
    return batch;
  }

  streamState(): StreamState {
    const { rngs, extra } = this.captureExtra();
    return {
      id: this.id,
      options: { ...this.options },
      position: this.currentPosition,
      task: this.currentTask,
      rngs,
      extra: structuredClone(extra),
    };
  }

  restoreStreamState(state: StreamState): void {
    if (state.id !== this.id) {
      throw new PlasticdError('stream_state_mismatch', `state is for stream '${state.id}', this stream is '${this.id}'`);
    }
    if (JSON.stringify(state.options) !== JSON.stringify(this.options)) {
      throw new PlasticdError(
        'stream_state_mismatch',
        `state was saved with options ${JSON.stringify(state.options)}, this stream has ${JSON.stringify(this.options)}`,
      );
    }
    const expectedTask = state.position === 0 ? 0 : Math.floor((state.position - 1) / this.examplesPerTask);
    if (!Number.isInteger(state.position) || state.position < 0 || state.task !== expectedTask) {
      throw new PlasticdError('stream_state_invalid', `position ${state.position} and task ${state.task} do not agree`);
    }
    this.currentPosition = state.position;
    this.currentTask = state.task;
    this.applyExtra(state.rngs, structuredClone(state.extra), state.task);
  }

  /** Enters the next task when the coming example starts one; returns the shift to report. */
  private advance(): StreamShift | undefined {
    const position = this.currentPosition;
    if (position === 0 || position % this.examplesPerTask !== 0) return undefined;
    this.currentTask = position / this.examplesPerTask;
    this.enterTask(this.currentTask);
    return { kind: 'task', params: this.params };
  }

  private checkBatch(batch: StreamBatch, n: number): void {
    const ok =
      batch.inputs.length === n * this.inputSize &&
      batch.targets.length === n * this.targetSize &&
      batch.tasks.length === n &&
      (this.kind !== 'classification' || (batch.labels !== undefined && batch.labels.length === n));
    if (!ok) {
      throw new PlasticdError(
        'stream_batch_shape',
        `${this.id}: a batch of ${n} needs inputs of ${n * this.inputSize}, targets of ${n * this.targetSize}` +
          `${this.kind === 'classification' ? ', labels' : ''} and tasks of ${n} entries; use allocateBatch(${n})`,
      );
    }
  }
}

export function requirePositiveInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new PlasticdError('invalid_stream_option', `${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Fills one target row with a one-hot of `label`. */
export function writeOneHot(target: Float32Array, offset: number, numClasses: number, label: number): void {
  target.fill(0, offset, offset + numClasses);
  target[offset + label] = 1;
}

/** FNV-1a over 32-bit integers: a short name for a permutation or a label vector in `params`. */
export function hashInts(values: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) {
    let v = values[i] | 0;
    for (let k = 0; k < 4; k++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193);
      v >>>= 8;
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
