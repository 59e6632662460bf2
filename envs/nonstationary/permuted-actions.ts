/**
 * PermutedActions: on a schedule, the agent's actions are remapped. For a Discrete space, a fresh
 * permutation of the action indices (outer action a runs inner action start + permutation[a -
 * start]); for a Box, a permutation of the dimensions with optional sign flips (outer dimension k
 * drives inner dimension permutation[k], times signs[k]). Box bounds are remapped in place, so the
 * action space always describes what is valid now. The inner env receives a reused buffer for Box
 * actions, so it must not keep a reference to the action (Gymnasium envs do not).
 */
import { Box, Discrete } from '../spaces.ts';
import type { BoxValue, Space } from '../spaces.ts';
import { invalidActionError } from '../wrappers/order-enforcing.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { NonstationaryWrapper } from './nonstationary-wrapper.ts';
import { SignedPermutation } from './signed-permutation.ts';
import type { NonstationaryOptions, ShiftParams } from './shift.ts';

export interface PermutedActionsOptions extends NonstationaryOptions {
  /** Box actions only: also flip the sign of each dimension with probability 1/2. Default false. */
  flipSigns?: boolean;
}

export class PermutedActions<O = unknown, A extends number | BoxValue = number | BoxValue> extends NonstationaryWrapper<O, A> {
  private readonly regime: SignedPermutation;
  private readonly discrete: Discrete | null;
  private readonly innerBox: Box | null;
  private readonly innerAction: BoxValue | null;

  constructor(env: Env<O, A>, options: PermutedActionsOptions) {
    super(env, options, 'action-permutation');
    const space = env.actionSpace as unknown;
    if (space instanceof Discrete) {
      if (options.flipSigns) throw new PlasticdError('invalid_option', 'PermutedActions: "flipSigns" applies to Box actions only, the action space is ' + String(space));
      this.discrete = space;
      this.innerBox = null;
      this.innerAction = null;
      this.regime = new SignedPermutation(space.n, false, 'PermutedActions');
    } else if (space instanceof Box) {
      this.discrete = null;
      this.innerBox = space;
      this.innerAction = space.allocate();
      this.actionSpace = new Box(space.low, space.high, space.shape, space.dtype) as unknown as typeof this.actionSpace;
      this.regime = new SignedPermutation(space.size, options.flipSigns === true, 'PermutedActions');
    } else {
      throw new PlasticdError('unsupported_space', `PermutedActions needs a Discrete or Box action space, got ${String(space)}`);
    }
  }

  /** Discrete: `{permutation}` (inner action index per outer index); Box: `{permutation, signs}`. */
  get params(): ShiftParams {
    const json = this.regime.toJSON();
    return this.discrete ? { permutation: json.permutation } : json;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.beginReset(args);
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    let result: StepResult<O>;
    try {
      result = this.env.step(this.mapAction(action));
    } catch (error) {
      // The inner env names its own space and the remapped action; name the agent's instead.
      if (error instanceof PlasticdError && error.code === 'invalid_action' && this.innerBox) throw this.invalidAction(action);
      throw error;
    }
    const shift = this.tick(result.terminated, result.truncated);
    if (shift === null) return result;
    return { ...result, info: PermutedActions.withShift(result.info, shift) };
  }

  /** The inner env's action for an outer one. */
  mapAction(action: A): A {
    if (this.discrete) {
      const index = (action as number) - this.discrete.start;
      if (!Number.isInteger(index) || index < 0 || index >= this.discrete.n) {
        throw this.invalidAction(action);
      }
      return (this.discrete.start + this.regime.permutation[index]!) as A;
    }
    const outer = action as BoxValue;
    if (!(ArrayBuffer.isView(outer) || Array.isArray(outer)) || outer.length !== this.innerAction!.length) {
      throw this.invalidAction(action);
    }
    this.regime.applyInverse(outer, this.innerAction!);
    return this.innerAction as A;
  }

  private invalidAction(action: unknown): PlasticdError {
    return invalidActionError(action, this.actionSpace as Space<unknown>);
  }

  protected drawRegime(): void {
    this.regime.redraw(this.rng);
    this.syncSpace();
  }

  protected resetRegime(): void {
    this.regime.setIdentity();
    this.syncSpace();
  }

  protected regimeState(): unknown {
    return this.regime.toJSON();
  }

  protected restoreRegime(state: unknown): void {
    this.regime.restore(state, 'PermutedActions');
    this.syncSpace();
  }

  private syncSpace(): void {
    if (this.innerBox) this.regime.mapBounds(this.innerBox, this.actionSpace as unknown as Box);
  }
}
