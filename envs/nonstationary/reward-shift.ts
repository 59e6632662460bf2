/**
 * RewardShift: multiplies the reward by a scale that changes on a schedule: by default it flips
 * sign and back (values [-1, 1] in order), a concept shift in the sense of random-label problems
 * (algorithms.md §4.4) where the same states now call for opposite behaviour. Scales come from a
 * list (cycled or random) or have a log-uniform magnitude with a chance of being negative.
 */
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { NonstationaryWrapper } from './nonstationary-wrapper.ts';
import { ValueSource } from './schedule.ts';
import type { ListOrder, NonstationaryOptions, ShiftParams } from './shift.ts';

export interface RewardShiftOptions extends NonstationaryOptions {
  /** Reward multipliers to move through. Default [-1, 1]: flip, flip back, … */
  values?: readonly number[];
  /** 'cycle' (default) or 'random' (uniform among the other values). */
  order?: ListOrder;
  /** Instead of `values`: the scale's magnitude is log-uniform in [low, high]. */
  low?: number;
  high?: number;
  /** With `low`/`high`: probability that a drawn scale is negative. Default 0. */
  flipProbability?: number;
}

export class RewardShift<O = unknown, A = unknown> extends NonstationaryWrapper<O, A> {
  private readonly source: ValueSource;
  private readonly flipProbability: number;
  private scale = 1;

  constructor(env: Env<O, A>, options: RewardShiftOptions = {}) {
    super(env, options, 'reward');
    const usesRange = options.low !== undefined || options.high !== undefined;
    this.source = new ValueSource(
      usesRange ? { low: options.low, high: options.high } : { values: options.values ?? [-1, 1], order: options.order },
      'RewardShift',
    );
    const p = options.flipProbability ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new PlasticdError('invalid_option', `RewardShift: "flipProbability" must be in [0, 1], got ${String(p)}`);
    }
    if (p > 0 && !usesRange) throw new PlasticdError('invalid_option', 'RewardShift: "flipProbability" applies to a low/high range; put negative entries in "values" instead');
    this.flipProbability = p;
  }

  /** `{scale}`: the returned reward is the inner reward times `scale`. */
  get params(): ShiftParams {
    return { scale: this.scale };
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.beginReset(args);
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    // The step's reward belongs to the regime it was earned in; the shift applies from the next one.
    const reward = result.reward * this.scale + 0; // + 0 turns -0 into 0
    const shift = this.tick(result.terminated, result.truncated);
    return {
      observation: result.observation,
      reward,
      terminated: result.terminated,
      truncated: result.truncated,
      info: shift === null ? result.info : RewardShift.withShift(result.info, shift),
    };
  }

  protected drawRegime(): void {
    const magnitude = this.source.next(this.rng);
    this.scale = this.flipProbability > 0 && this.rng.bernoulli(this.flipProbability) ? -magnitude : magnitude;
  }

  protected resetRegime(): void {
    this.source.index = -1;
    this.scale = 1;
  }

  protected regimeState(): unknown {
    return { scale: this.scale, index: this.source.index };
  }

  protected restoreRegime(state: unknown): void {
    const { scale, index } = (state ?? {}) as { scale?: unknown; index?: unknown };
    if (typeof scale !== 'number' || !Number.isInteger(index)) throw new PlasticdError('invalid_env_state', 'RewardShift: regime state needs a numeric scale and list index');
    this.scale = scale;
    this.source.index = index as number;
  }
}
