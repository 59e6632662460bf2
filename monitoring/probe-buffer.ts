/**
 * A ring buffer of the most recent input rows a network saw, the "probe batch" of the window
 * metrics, GXD-F, the curvature probe and the audit (algorithms.md §2.1: GXD-F on 256–1024 recent
 * states every 1,000 updates). Preallocated; `push` copies rows in and allocates nothing.
 */
import { PlasticdError } from '../src/util/errors.ts';

/** Up to this many values, push() copies element by element (no subarray allocation). */
const SHORT_COPY = 64;

export interface ProbeBufferState {
  inputSize: number;
  capacity: number;
  /** Rows held (≤ capacity). */
  count: number;
  /** Rows pushed since creation. */
  pushed: number;
  /** The held rows in chronological order (oldest first), row-major [count × inputSize]. */
  rows: Float32Array;
}

export class ProbeBuffer {
  private readonly data: Float32Array;
  private count = 0;
  private next = 0;
  private pushed = 0;

  constructor(
    readonly inputSize: number,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(inputSize) || inputSize < 1 || !Number.isInteger(capacity) || capacity < 1) {
      throw new PlasticdError('invalid_probe_buffer', `A probe buffer needs a positive whole input size and capacity; got ${inputSize} and ${capacity}.`);
    }
    this.data = new Float32Array(inputSize * capacity);
  }

  /** Rows currently held. */
  get size(): number {
    return this.count;
  }

  /** Rows pushed since creation (or since the state it was restored from was created). */
  get total(): number {
    return this.pushed;
  }

  /** Appends `batchSize` rows (row-major [batchSize × inputSize]); the oldest rows make room. */
  push(rows: ArrayLike<number>, batchSize: number): void {
    const width = this.inputSize;
    if (!Number.isInteger(batchSize) || batchSize < 0 || rows.length !== batchSize * width) {
      throw new PlasticdError(
        'invalid_probe_input',
        `Probe inputs must be ${batchSize} rows of ${width} values (${batchSize * width}); got ${rows.length} values.`,
      );
    }
    // Only the last `capacity` rows can survive; they land in at most two contiguous runs of slots.
    const keep = Math.min(batchSize, this.capacity);
    let source = (batchSize - keep) * width;
    let left = keep;
    while (left > 0) {
      const run = Math.min(left, this.capacity - this.next);
      const length = run * width;
      const target = this.next * width;
      // A short run (one small row per step) copies faster in a loop than through a subarray view.
      if (rows instanceof Float32Array && length > SHORT_COPY) this.data.set(rows.subarray(source, source + length), target);
      else for (let k = 0; k < length; k++) this.data[target + k] = rows[source + k];
      source += length;
      left -= run;
      this.next = (this.next + run) % this.capacity;
    }
    this.count = Math.min(this.capacity, this.count + keep);
    this.pushed += batchSize;
  }

  /** The held rows, oldest first, as a new row-major [size × inputSize] array. */
  rows(): Float32Array {
    const width = this.inputSize;
    const out = new Float32Array(this.count * width);
    if (this.count < this.capacity) {
      out.set(this.data.subarray(0, this.count * width));
      return out;
    }
    // Full ring: the oldest rows run from `next` to the end, then wrap to the start (two copies).
    const split = this.next * width;
    out.set(this.data.subarray(split));
    out.set(this.data.subarray(0, split), this.data.length - split);
    return out;
  }

  /** The `count` most recent rows, oldest first (all rows when fewer are held). */
  latest(count: number): Float32Array {
    const all = this.rows();
    const keep = Math.min(count, this.count);
    return all.slice((this.count - keep) * this.inputSize);
  }

  state(): ProbeBufferState {
    return { inputSize: this.inputSize, capacity: this.capacity, count: this.count, pushed: this.pushed, rows: this.rows() };
  }

  restore(state: ProbeBufferState): void {
    if (state.inputSize !== this.inputSize || state.capacity !== this.capacity || state.rows.length !== state.count * state.inputSize) {
      throw new PlasticdError(
        'probe_state_mismatch',
        `Saved probe buffer (${state.count} of ${state.capacity} rows of ${state.inputSize}) does not fit this one (${this.capacity} rows of ${this.inputSize}); the monitor's probeSize or the network's input size changed.`,
      );
    }
    this.data.fill(0);
    this.data.set(state.rows);
    this.count = state.count;
    // Rows are stored oldest first from slot 0, so the next free slot follows them.
    this.next = state.count % this.capacity;
    this.pushed = state.pushed;
  }
}
