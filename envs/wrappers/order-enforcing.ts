/**
 * OrderEnforcing (gymnasium/wrappers/common.py): `step()` before the first `reset()` is an error.
 * Deliberate deviations: we also throw `step_after_end` when `step()` follows a step that returned
 * terminated or truncated without a reset in between (Gymnasium leaves that undefined, CartPole
 * just warns), and we validate every action against the action space here (`invalid_action`),
 * which Gymnasium's PassiveEnvChecker only does once. Box actions are checked for shape and
 * finiteness only, not range: Gymnasium's continuous envs clip out-of-range actions themselves
 * (and MountainCarContinuous penalises the unclipped action), so rejecting them would change the task.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { Box } from '../spaces.ts';
import type { Space } from '../spaces.ts';
import { expectStateObject } from '../stateful.ts';
import type { StatefulEnvPart } from '../stateful.ts';

/** A short, readable rendering of an action for error messages. */
export function describeAction(action: unknown): string {
  if (ArrayBuffer.isView(action) && !(action instanceof DataView)) {
    const values = Array.from(action as unknown as ArrayLike<number>);
    const shown = values.slice(0, 8).map(String).join(', ');
    return `${action.constructor.name} [${shown}${values.length > 8 ? ', …' : ''}]`;
  }
  if (typeof action === 'string') return JSON.stringify(action);
  if (Array.isArray(action)) return `[${action.slice(0, 8).map((v) => describeAction(v)).join(', ')}${action.length > 8 ? ', …' : ''}]`;
  return String(action);
}

export function invalidActionError(action: unknown, space: Space<unknown>): PlasticdError {
  return new PlasticdError('invalid_action', `action ${describeAction(action)} is not in the action space ${String(space)}`, {
    action: describeAction(action),
    actionSpace: String(space),
  });
}

/** The action check OrderEnforcing applies: membership, except range for Box spaces (see header). */
export function isWellFormedAction(space: Space<unknown>, action: unknown): boolean {
  if (!(space instanceof Box)) return space.contains(action);
  const isArray = Array.isArray(action) || (ArrayBuffer.isView(action) && !(action instanceof DataView));
  if (!isArray) return false;
  const values = action as ArrayLike<unknown>;
  if (values.length !== space.size) return false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

export class OrderEnforcing<O = unknown, A = unknown> extends Wrapper<O, A> implements StatefulEnvPart {
  private hasReset = false;
  private ended = false;

  constructor(env: Env<O, A>) {
    super(env);
    const spec = env.spec;
    if (spec) this.spec = { ...spec, orderEnforce: true };
  }

  /** Whether `reset()` has been called at least once (Gymnasium's `has_reset`). */
  get hasBeenReset(): boolean {
    return this.hasReset;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.hasReset = true;
    this.ended = false;
    return result;
  }

  override step(action: A): StepResult<O> {
    if (!this.hasReset) {
      throw new PlasticdError('reset_needed', `cannot call step() before reset() on ${String(this.env)}; call reset({ seed }) first`);
    }
    if (this.ended) {
      throw new PlasticdError(
        'step_after_end',
        `cannot call step() on ${String(this.env)} after the episode ended (terminated or truncated); call reset() first`,
      );
    }
    if (!isWellFormedAction(this.actionSpace, action)) throw invalidActionError(action, this.actionSpace);
    const result = this.env.step(action);
    if (result.terminated || result.truncated) this.ended = true;
    return result;
  }

  envState(): unknown {
    return { hasReset: this.hasReset, ended: this.ended };
  }

  restoreEnvState(state: unknown): void {
    const s = expectStateObject(state, 'OrderEnforcing', ['hasReset', 'ended']);
    this.hasReset = s.hasReset === true;
    this.ended = s.ended === true;
  }
}
