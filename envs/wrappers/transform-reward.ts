/**
 * TransformReward (gymnasium/wrappers/transform_reward.py): replaces each step's reward with
 * `transform(reward)`, e.g. `(r) => Math.sign(r)` or a scale. The function is given once.
 */
import { Wrapper } from '../core.ts';
import type { Env, StepResult } from '../core.ts';

export class TransformReward<O = unknown, A = unknown> extends Wrapper<O, A> {
  constructor(
    env: Env<O, A>,
    readonly transform: (reward: number) => number,
  ) {
    super(env);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    result.reward = this.transform(result.reward);
    return result;
  }
}
