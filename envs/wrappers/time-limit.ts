/**
 * TimeLimit (gymnasium/wrappers/common.py): counts steps since the last reset and sets
 * `truncated = true` once elapsed >= maxEpisodeSteps (terminated is left alone). Deviation: a step
 * after the truncating one throws `step_after_end` (Gymnasium keeps truncating), so an episode
 * cut by the limit is closed as firmly as one OrderEnforcing saw terminate.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { expectStateObject } from '../stateful.ts';
import type { StatefulEnvPart } from '../stateful.ts';

export class TimeLimit<O = unknown, A = unknown> extends Wrapper<O, A> implements StatefulEnvPart {
  readonly maxEpisodeSteps: number;
  /** Steps since the last reset, or -1 before the first reset. */
  private elapsed = -1;

  constructor(env: Env<O, A>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new PlasticdError('invalid_argument', `TimeLimit needs a positive integer maxEpisodeSteps, got ${String(maxEpisodeSteps)}`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
    const spec = env.spec;
    if (spec) this.spec = { ...spec, maxEpisodeSteps };
  }

  /** Steps taken in the current episode (0 right after reset, -1 before the first reset). */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.elapsed = 0;
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const elapsed = this.elapsed;
    if (elapsed >= this.maxEpisodeSteps) {
      throw new PlasticdError('step_after_end', `cannot call step() after the time limit of ${this.maxEpisodeSteps} steps truncated the episode; call reset() first`);
    }
    if (elapsed < 0) throw new PlasticdError('reset_needed', `cannot call step() before reset() on ${String(this.env)}; call reset({ seed }) first`);
    const result = this.env.step(action);
    this.elapsed = elapsed + 1;
    if (elapsed + 1 >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }

  envState(): unknown {
    return { elapsedSteps: this.elapsed };
  }

  restoreEnvState(state: unknown): void {
    const s = expectStateObject(state, 'TimeLimit', ['elapsedSteps']);
    if (typeof s.elapsedSteps !== 'number') throw new PlasticdError('invalid_env_state', 'TimeLimit: elapsedSteps must be a number');
    this.elapsed = s.elapsedSteps;
  }
}
