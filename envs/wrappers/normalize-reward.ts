/**
 * NormalizeReward (gymnasium/wrappers/stateful_reward.py): keeps a discounted running return
 * G <- G * gamma * (1 - terminated) + r, tracks its variance with a float64 RunningMeanStd and
 * returns r / sqrt(var + epsilon) (no mean subtraction, as in Gymnasium and openai/baselines#538).
 * Set `updateRunningMean = false` to freeze the statistics.
 */
import { Wrapper } from '../core.ts';
import type { Env, StepResult } from '../core.ts';
import { expectStateObject } from '../stateful.ts';
import type { StatefulEnvPart } from '../stateful.ts';
import { RunningMeanStd } from './running-mean-std.ts';

export interface NormalizeRewardOptions {
  /** Discount of the running return whose variance scales the reward (default 0.99). */
  gamma?: number;
  /** Added to the variance before the square root (default 1e-8). */
  epsilon?: number;
}

export class NormalizeReward<O = unknown, A = unknown> extends Wrapper<O, A> implements StatefulEnvPart {
  readonly gamma: number;
  readonly epsilon: number;
  readonly returnRms = new RunningMeanStd(1, { dtype: 'float64' });
  /** The discounted running return G. */
  discountedReward = 0;
  /** Whether each step also updates the statistics (Gymnasium's `update_running_mean`). */
  updateRunningMean = true;
  private readonly sample = new Float64Array(1);

  constructor(env: Env<O, A>, options: NormalizeRewardOptions = {}) {
    super(env);
    this.gamma = options.gamma ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    const reward = result.reward;
    this.discountedReward = this.discountedReward * this.gamma * (result.terminated ? 0 : 1) + reward;
    if (this.updateRunningMean) {
      this.sample[0] = this.discountedReward;
      this.returnRms.update(this.sample);
    }
    result.reward = reward / Math.sqrt(this.returnRms.var[0]! + this.epsilon);
    return result;
  }

  envState(): unknown {
    return { returnRms: this.returnRms.state(), discountedReward: this.discountedReward, updateRunningMean: this.updateRunningMean };
  }

  restoreEnvState(state: unknown): void {
    const s = expectStateObject(state, 'NormalizeReward', ['returnRms', 'discountedReward', 'updateRunningMean']);
    this.returnRms.restore(s.returnRms);
    this.discountedReward = Number(s.discountedReward);
    this.updateRunningMean = s.updateRunningMean !== false;
  }
}
