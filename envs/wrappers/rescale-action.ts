/**
 * RescaleAction (gymnasium/wrappers/transform_action.py): exposes Box(minAction, maxAction) and maps
 * an action affinely onto the inner Box, low + (high - low) * (a - min) / (max - min), clipped to
 * [low, high] so float rounding can never leave the inner space. Deviation: actions outside
 * [minAction, maxAction] throw `invalid_action` (Gymnasium maps them outside the inner bounds).
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, StepResult } from '../core.ts';
import { Box } from '../spaces.ts';
import type { BoxValue } from '../spaces.ts';
import { invalidActionError } from './order-enforcing.ts';

export class RescaleAction<O = unknown> extends Wrapper<O, BoxValue, O, BoxValue> {
  private readonly inner: Box;
  private readonly minAction: Float64Array;
  private readonly maxAction: Float64Array;

  constructor(env: Env<O, BoxValue>, minAction: number | ArrayLike<number>, maxAction: number | ArrayLike<number>) {
    super(env);
    const space = env.actionSpace;
    if (!(space instanceof Box)) throw new PlasticdError('invalid_argument', `RescaleAction needs a Box action space, got ${String(space)}`);
    if (!space.isBounded()) throw new PlasticdError('invalid_argument', `RescaleAction needs a bounded inner action space, got ${String(space)}`);
    this.inner = space;
    const outer = new Box(minAction, maxAction, space.shape, space.dtype);
    for (let i = 0; i < outer.size; i++) {
      if (!(outer.low[i]! < outer.high[i]!) || !Number.isFinite(outer.low[i]!) || !Number.isFinite(outer.high[i]!)) {
        throw new PlasticdError('invalid_argument', `RescaleAction needs finite minAction < maxAction, got ${outer.low[i]} and ${outer.high[i]} at index ${i}`);
      }
    }
    this.minAction = outer.low;
    this.maxAction = outer.high;
    this.actionSpace = outer;
  }

  override step(action: BoxValue): StepResult<O> {
    if (!this.actionSpace.contains(action)) throw invalidActionError(action, this.actionSpace);
    return this.env.step(this.action(action));
  }

  /** The inner-space action for an outer-space one (a new array of the inner dtype). */
  action(action: ArrayLike<number>): BoxValue {
    const { low, high } = this.inner;
    const out = this.inner.allocate();
    for (let i = 0; i < out.length; i++) {
      const lo = low[i]!;
      const hi = high[i]!;
      const v = lo + (hi - lo) * ((action[i]! - this.minAction[i]!) / (this.maxAction[i]! - this.minAction[i]!));
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return out;
  }
}
