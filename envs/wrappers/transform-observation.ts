/**
 * TransformObservation (gymnasium/wrappers/transform_observation.py): applies `transform` to every
 * observation from reset and step, and optionally declares the new observation space (otherwise the
 * inner one is kept, so the function must map into it). The function is given once, not per step.
 */
import { Wrapper } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import type { Space } from '../spaces.ts';

export class TransformObservation<O = unknown, A = unknown, InnerO = unknown> extends Wrapper<O, A, InnerO, A> {
  constructor(
    env: Env<InnerO, A>,
    readonly transform: (observation: InnerO) => O,
    observationSpace?: Space<O>,
  ) {
    super(env);
    if (observationSpace) this.observationSpace = observationSpace;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args) as unknown as ResetResult<unknown>;
    result.observation = this.transform(result.observation as InnerO);
    return result as ResetResult<O>;
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action) as unknown as StepResult<unknown>;
    result.observation = this.transform(result.observation as InnerO);
    return result as StepResult<O>;
  }
}
