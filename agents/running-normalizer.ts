/**
 * Running mean/variance normalisers owned by an agent, so their statistics checkpoint with it.
 * They reproduce Gymnasium's NormalizeObservation / NormalizeReward wrappers (RunningMeanStd with
 * Chan et al.'s parallel update, count starting at 1e-4, variance at 1; ε = 1e-8), which CleanRL's
 * continuous PPO puts around the env, followed by a clip to ±10.
 */

export interface RunningMeanStdState {
  mean: Float64Array;
  variance: Float64Array;
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  count = 1e-4;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.variance = new Float64Array(size).fill(1);
  }

  /** Folds in one sample (a batch of one, as Gymnasium's wrappers do per step). */
  update(x: ArrayLike<number>): void {
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i] - this.mean[i];
      this.mean[i] += delta / total;
      // M2 = var·count + 0 + δ²·count·1/total, divided by the new count.
      this.variance[i] = (this.variance[i] * this.count + (delta * delta * this.count) / total) / total;
    }
    this.count = total;
  }

  state(): RunningMeanStdState {
    return { mean: this.mean.slice(), variance: this.variance.slice(), count: this.count };
  }

  restore(state: RunningMeanStdState): void {
    this.mean.set(state.mean);
    this.variance.set(state.variance);
    this.count = state.count;
  }
}

const EPSILON = 1e-8;

/** (x − mean)/√(var + ε), clipped to ±clip; statistics updated only when asked. */
export class ObservationNormalizer {
  readonly statistics: RunningMeanStd;

  constructor(
    readonly size: number,
    readonly clip = 10,
  ) {
    this.statistics = new RunningMeanStd(size);
  }

  normalize(x: ArrayLike<number>, out: Float32Array, outOffset = 0): Float32Array {
    const { mean, variance } = this.statistics;
    for (let i = 0; i < this.size; i++) {
      const z = (x[i] - mean[i]) / Math.sqrt(variance[i] + EPSILON);
      out[outOffset + i] = Math.max(-this.clip, Math.min(this.clip, z));
    }
    return out;
  }
}

/**
 * Gymnasium's NormalizeReward: scales rewards by the standard deviation of a running discounted
 * return G ← γ·G + r (the return, not the reward, is what gets normalised). Deviation: G restarts
 * after any episode end (Gymnasium restarts it only on termination), since the next reward belongs
 * to a new episode either way.
 */
export class RewardNormalizer {
  readonly statistics = new RunningMeanStd(1);
  private discountedReturn = 0;
  private readonly sample = new Float64Array(1);

  constructor(
    readonly gamma: number,
    readonly clip = 10,
  ) {}

  /** Updates the statistics with this step and returns the scaled, clipped reward; `episodeEnded` restarts G for the next step. */
  normalize(reward: number, episodeEnded: boolean): number {
    this.discountedReturn = this.discountedReturn * this.gamma + reward;
    this.sample[0] = this.discountedReturn;
    this.statistics.update(this.sample);
    const scaled = reward / Math.sqrt(this.statistics.variance[0] + EPSILON);
    if (episodeEnded) this.discountedReturn = 0;
    return Math.max(-this.clip, Math.min(this.clip, scaled));
  }

  state(): { statistics: RunningMeanStdState; discountedReturn: number } {
    return { statistics: this.statistics.state(), discountedReturn: this.discountedReturn };
  }

  restore(state: { statistics: RunningMeanStdState; discountedReturn: number }): void {
    this.statistics.restore(state.statistics);
    this.discountedReturn = state.discountedReturn;
  }
}
