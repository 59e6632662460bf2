/**
 * Running mean and variance of a stream of vectors: Gymnasium's `RunningMeanStd`
 * (gymnasium/wrappers/utils.py), the parallel-variance update of Chan et al. (1979) with an
 * initial pseudo-count of 1e-4, mean 0 and variance 1. With `dtype: 'float32'` every operation is
 * rounded to float32 exactly as NumPy does on float32 arrays (Python scalars cast to float32), so a
 * single-sample update matches Gymnasium bit for bit; batch moments are summed in float64.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { expectStateObject } from '../stateful.ts';

export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly size: number;
  readonly dtype: 'float32' | 'float64';
  /** Running mean per element (values are float32-representable when dtype is float32). */
  readonly mean: Float64Array;
  /** Running (population) variance per element. */
  readonly var: Float64Array;
  /** Number of samples seen, starting at `epsilon` (a float64, as in Gymnasium). */
  count: number;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(size: number, options: { epsilon?: number; dtype?: 'float32' | 'float64' } = {}) {
    if (!Number.isInteger(size) || size < 1) throw new PlasticdError('invalid_argument', `RunningMeanStd size must be a positive integer, got ${size}`);
    this.size = size;
    this.dtype = options.dtype ?? 'float64';
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = options.epsilon ?? 1e-4;
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /** Adds one sample (Gymnasium's `update(np.array([x]))`: batch mean x, batch variance 0, count 1). */
  update(x: ArrayLike<number>): void {
    const count = this.count;
    const total = count + 1;
    const mean = this.mean;
    const variance = this.var;
    if (this.dtype === 'float32') {
      const f = Math.fround;
      const count32 = f(count);
      const total32 = f(total);
      for (let i = 0; i < this.size; i++) {
        const delta = f(f(x[i]!) - mean[i]!);
        const m2 = f(f(variance[i]! * count32) + f(f(f(delta * delta) * count32) / total32));
        mean[i] = f(mean[i]! + f(delta / total32));
        variance[i] = f(m2 / total32);
      }
    } else {
      for (let i = 0; i < this.size; i++) {
        const delta = x[i]! - mean[i]!;
        const m2 = variance[i]! * count + 0 + ((delta * delta * count) * 1) / total;
        mean[i] = mean[i]! + (delta * 1) / total;
        variance[i] = m2 / total;
      }
    }
    this.count = total;
  }

  /** Adds `batchCount` samples stored row-major in `rows` (length batchCount × size). */
  updateBatch(rows: ArrayLike<number>, batchCount: number): void {
    if (rows.length !== batchCount * this.size) {
      throw new PlasticdError('invalid_argument', `RunningMeanStd.updateBatch got ${rows.length} values for ${batchCount} rows of ${this.size}`);
    }
    if (batchCount === 1) return this.update(rows);
    const n = this.size;
    this.batchMean.fill(0);
    this.batchVar.fill(0);
    for (let r = 0; r < batchCount; r++) for (let i = 0; i < n; i++) this.batchMean[i]! += rows[r * n + i]!;
    for (let i = 0; i < n; i++) this.batchMean[i]! /= batchCount;
    for (let r = 0; r < batchCount; r++) {
      for (let i = 0; i < n; i++) {
        const d = rows[r * n + i]! - this.batchMean[i]!;
        this.batchVar[i]! += d * d;
      }
    }
    for (let i = 0; i < n; i++) this.batchVar[i]! /= batchCount;
    this.updateFromMoments(this.batchMean, this.batchVar, batchCount);
  }

  /** Gymnasium's `update_mean_var_count_from_moments`. */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    const count = this.count;
    const total = count + batchCount;
    const round = this.dtype === 'float32' ? Math.fround : (v: number) => v;
    const count32 = round(count);
    const total32 = round(total);
    for (let i = 0; i < this.size; i++) {
      const delta = round(round(batchMean[i]!) - this.mean[i]!);
      const ma = round(this.var[i]! * count32);
      const mb = round(round(batchVar[i]!) * batchCount);
      const m2 = round(round(ma + mb) + round(round(round(round(delta * delta) * count32) * batchCount) / total32));
      this.mean[i] = round(this.mean[i]! + round(round(delta * batchCount) / total32));
      this.var[i] = round(m2 / total32);
    }
    this.count = total;
  }

  state(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  restore(state: unknown): void {
    const s = expectStateObject(state, 'RunningMeanStd', ['mean', 'var', 'count']);
    const mean = s.mean as number[];
    const variance = s.var as number[];
    if (!Array.isArray(mean) || !Array.isArray(variance) || mean.length !== this.size || variance.length !== this.size || typeof s.count !== 'number') {
      throw new PlasticdError('invalid_env_state', `RunningMeanStd: state must hold mean and var of length ${this.size} and a numeric count`);
    }
    this.mean.set(mean);
    this.var.set(variance);
    this.count = s.count;
  }
}
