/**
 * PermutedObservations: on a schedule, a fresh random permutation of the observation vector,
 * optionally with random sign flips: the RL analogue of permuted MNIST (Goodfellow et al. 2013;
 * Dohare et al. 2024, algorithms.md §4.2). The observation space follows the permutation: its
 * bounds are permuted (and negated and swapped where flipped) in place, so the space object stays
 * the same and always describes the observations currently returned.
 */
import { Box } from '../spaces.ts';
import type { BoxValue } from '../spaces.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { NonstationaryWrapper } from './nonstationary-wrapper.ts';
import { SignedPermutation } from './signed-permutation.ts';
import type { NonstationaryOptions, ShiftParams } from './shift.ts';

export interface PermutedObservationsOptions extends NonstationaryOptions {
  /** Also flip the sign of each element with probability 1/2 at each shift. Default false. */
  flipSigns?: boolean;
}

export class PermutedObservations<A = unknown> extends NonstationaryWrapper<BoxValue, A, BoxValue, A> {
  declare observationSpace: Box;
  private readonly innerSpace: Box;
  private readonly regime: SignedPermutation;

  constructor(env: Env<BoxValue, A>, options: PermutedObservationsOptions) {
    super(env, options, 'observation-permutation');
    const space = env.observationSpace;
    if (!(space instanceof Box)) {
      throw new PlasticdError('unsupported_space', `PermutedObservations needs a Box observation space, got ${String(space)}`);
    }
    this.innerSpace = space;
    this.observationSpace = new Box(space.low, space.high, space.shape, space.dtype);
    this.regime = new SignedPermutation(space.size, options.flipSigns === true, 'PermutedObservations');
  }

  /** `{permutation, signs}`: observation[k] = signs[k] * inner[permutation[k]]. */
  get params(): ShiftParams {
    return this.regime.toJSON();
  }

  override reset(args?: ResetArgs): ResetResult<BoxValue> {
    this.beginReset(args);
    const result = this.env.reset(args);
    return { observation: this.permute(result.observation), info: result.info };
  }

  override step(action: A): StepResult<BoxValue> {
    const result = this.env.step(action);
    const shift = this.tick(result.terminated, result.truncated);
    return {
      observation: this.permute(result.observation),
      reward: result.reward,
      terminated: result.terminated,
      truncated: result.truncated,
      info: shift === null ? result.info : PermutedObservations.withShift(result.info, shift),
    };
  }

  private permute(observation: BoxValue): BoxValue {
    const out = this.observationSpace.allocate();
    this.regime.apply(observation, out);
    return out;
  }

  protected drawRegime(): void {
    this.regime.redraw(this.rng);
    this.regime.mapBounds(this.innerSpace, this.observationSpace);
  }

  protected resetRegime(): void {
    this.regime.setIdentity();
    this.regime.mapBounds(this.innerSpace, this.observationSpace);
  }

  protected regimeState(): unknown {
    return this.regime.toJSON();
  }

  protected restoreRegime(state: unknown): void {
    this.regime.restore(state, 'PermutedObservations');
    this.regime.mapBounds(this.innerSpace, this.observationSpace);
  }
}
