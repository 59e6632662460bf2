/**
 * Reward scaling owned by an agent: divides each reward by a running standard deviation of the
 * discounted return, as `ScaleReward` in the Stream-x reference code (Elsayed, Vasan & Mahmood
 * 2024, arXiv 2410.14606): trace ← γ·(1 − done)·trace + r, statistics updated with the trace,
 * r / √(var + ε). As there, `done` (terminated or truncated) zeroes the old trace before the
 * current reward is added, and the mean is not subtracted.
 */
import { SampleMeanStd, type SampleMeanStdState } from './observation-normalizer.ts';

export interface RewardScalerState {
  returnTrace: number;
  statistics: SampleMeanStdState;
}

export class StreamRewardScaler {
  private readonly statistics = new SampleMeanStd(1);
  private readonly traceValue = new Float64Array(1);
  private readonly gamma: number;
  private readonly epsilon: number;
  private readonly enabled: boolean;

  constructor(options: { gamma: number; enabled?: boolean; epsilon?: number }) {
    this.gamma = options.gamma;
    this.enabled = options.enabled ?? true;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** The scaled reward; advances the return trace. */
  scale(reward: number, done: boolean): number {
    if (!this.enabled) return reward;
    this.traceValue[0] = this.traceValue[0] * this.gamma * (done ? 0 : 1) + reward;
    this.statistics.update(this.traceValue);
    return reward / Math.sqrt(this.statistics.varianceAt(0) + this.epsilon);
  }

  state(): RewardScalerState {
    return { returnTrace: this.traceValue[0], statistics: this.statistics.state() };
  }

  restore(state: RewardScalerState): void {
    this.traceValue[0] = state.returnTrace;
    this.statistics.restore(state.statistics);
  }
}
