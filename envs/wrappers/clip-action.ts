/**
 * ClipAction (gymnasium/wrappers/transform_action.py): clips a Box action into the inner env's
 * bounds; the exposed action space becomes Box(-inf, inf) of the same shape and dtype, as in
 * Gymnasium 1.x. Deviation: an action that is not even in that space (wrong length, NaN) throws
 * `invalid_action` here instead of being passed on.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, StepResult } from '../core.ts';
import { Box } from '../spaces.ts';
import type { BoxValue } from '../spaces.ts';
import { invalidActionError } from './order-enforcing.ts';

export class ClipAction<O = unknown> extends Wrapper<O, BoxValue, O, BoxValue> {
  private readonly inner: Box;

  constructor(env: Env<O, BoxValue>) {
    super(env);
    const space = env.actionSpace;
    if (!(space instanceof Box)) throw new PlasticdError('invalid_argument', `ClipAction needs a Box action space, got ${String(space)}`);
    this.inner = space;
    this.actionSpace = new Box(-Infinity, Infinity, space.shape, space.dtype);
  }

  override step(action: BoxValue): StepResult<O> {
    if (!this.actionSpace.contains(action)) throw invalidActionError(action, this.actionSpace);
    return this.env.step(this.action(action));
  }

  /** The clipped action passed to the inner env (a new array of the inner dtype). */
  action(action: ArrayLike<number>): BoxValue {
    const { low, high } = this.inner;
    const out = this.inner.allocate();
    for (let i = 0; i < out.length; i++) {
      const v = action[i]!;
      out[i] = v < low[i]! ? low[i]! : v > high[i]! ? high[i]! : v;
    }
    return out;
  }
}
