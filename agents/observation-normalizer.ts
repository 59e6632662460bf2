/**
 * Online observation normalisation owned by an agent, so its statistics checkpoint with it:
 * `SampleMeanStd` (Welford's running mean and unbiased variance) and `StreamObservationNormalizer`,
 * following `SampleMeanStd` / `NormalizeObservation` of the Stream-x reference code
 * (Elsayed, Vasan & Mahmood 2024, arXiv 2410.14606, repo mohmdelsayed/streaming-drl): each new
 * observation updates the statistics once and is then normalised with the updated ones,
 * (x − mean) / √(var + ε). The variance is 1 until two samples have been seen. Unlike
 * running-normalizer.ts (Gymnasium's RunningMeanStd: count from 1e-4, biased variance, clip ±10)
 * there is no clipping, as in the paper.
 */
import { PlasticdError } from '../src/util/errors.ts';

export interface SampleMeanStdState {
  count: number;
  mean: Float64Array;
  /** Welford's sum of squared deviations. */
  squaredDeviations: Float64Array;
}

export class SampleMeanStd {
  readonly size: number;
  private count = 0;
  private readonly mean: Float64Array;
  private readonly squaredDeviations: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new PlasticdError('invalid_argument', `SampleMeanStd: size must be a positive integer, got ${size}`);
    this.size = size;
    this.mean = new Float64Array(size);
    this.squaredDeviations = new Float64Array(size);
  }

  get samples(): number {
    return this.count;
  }

  update(x: ArrayLike<number>): void {
    const n = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const value = x[i];
      const oldMean = this.count === 0 ? value : this.mean[i];
      const newMean = oldMean + (value - oldMean) / n;
      this.squaredDeviations[i] = (this.count === 0 ? 0 : this.squaredDeviations[i]) + (value - oldMean) * (value - newMean);
      this.mean[i] = newMean;
    }
    this.count = n;
  }

  meanAt(i: number): number {
    return this.mean[i];
  }

  /** Unbiased variance; 1 before the second sample, as the reference code. */
  varianceAt(i: number): number {
    return this.count < 2 ? 1 : this.squaredDeviations[i] / (this.count - 1);
  }

  state(): SampleMeanStdState {
    return { count: this.count, mean: this.mean.slice(), squaredDeviations: this.squaredDeviations.slice() };
  }

  restore(state: SampleMeanStdState): void {
    if (state.mean.length !== this.size || state.squaredDeviations.length !== this.size) {
      throw new PlasticdError('agent_state_mismatch', `SampleMeanStd: the saved statistics have ${state.mean.length} entries, this one ${this.size}.`);
    }
    this.count = state.count;
    this.mean.set(state.mean);
    this.squaredDeviations.set(state.squaredDeviations);
  }
}

export class StreamObservationNormalizer {
  readonly statistics: SampleMeanStd;
  private readonly epsilon: number;
  private readonly enabled: boolean;

  constructor(size: number, options: { enabled?: boolean; epsilon?: number } = {}) {
    this.statistics = new SampleMeanStd(size);
    this.enabled = options.enabled ?? true;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Updates the statistics with `raw` and writes its normalised value into `out`. */
  observe(raw: ArrayLike<number>, out: Float32Array): Float32Array {
    if (raw.length !== this.statistics.size) {
      throw new PlasticdError('invalid_observation', `Expected an observation of ${this.statistics.size} values, got ${raw.length}.`);
    }
    if (!this.enabled) {
      for (let i = 0; i < out.length; i++) out[i] = raw[i];
      return out;
    }
    this.statistics.update(raw);
    for (let i = 0; i < out.length; i++) {
      out[i] = (raw[i] - this.statistics.meanAt(i)) / Math.sqrt(this.statistics.varianceAt(i) + this.epsilon);
    }
    return out;
  }

  state(): SampleMeanStdState {
    return this.statistics.state();
  }

  restore(state: SampleMeanStdState): void {
    this.statistics.restore(state);
  }
}
