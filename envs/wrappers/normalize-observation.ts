/**
 * NormalizeObservation (gymnasium/wrappers/stateful_observation.py): keeps a RunningMeanStd of
 * every observation it returns (reset and step), in the observation's own dtype, and returns
 * float32 (obs - mean) / sqrt(var + epsilon). The observation space becomes Box(-inf, inf, float32).
 * Set `updateRunningMean = false` to freeze the statistics (e.g. for evaluation).
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Wrapper } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { Box } from '../spaces.ts';
import type { BoxValue } from '../spaces.ts';
import { expectStateObject } from '../stateful.ts';
import type { StatefulEnvPart } from '../stateful.ts';
import { RunningMeanStd } from './running-mean-std.ts';

export interface NormalizeObservationOptions {
  /** Added to the variance before the square root (default 1e-8). */
  epsilon?: number;
}

export class NormalizeObservation<A = unknown> extends Wrapper<Float32Array, A, BoxValue, A> implements StatefulEnvPart {
  readonly epsilon: number;
  readonly obsRms: RunningMeanStd;
  /** Whether each observation also updates the statistics (Gymnasium's `update_running_mean`). */
  updateRunningMean = true;
  private readonly inner32: boolean;

  constructor(env: Env<BoxValue, A>, options: NormalizeObservationOptions = {}) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box)) throw new PlasticdError('invalid_argument', `NormalizeObservation needs a Box observation space, got ${String(space)}`);
    this.epsilon = options.epsilon ?? 1e-8;
    this.inner32 = space.dtype === 'float32';
    this.obsRms = new RunningMeanStd(space.size, { dtype: this.inner32 ? 'float32' : 'float64' });
    this.observationSpace = new Box(-Infinity, Infinity, space.shape, 'float32') as never;
  }

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const result = this.env.reset(args) as unknown as ResetResult<unknown>;
    result.observation = this.normalize(result.observation as BoxValue);
    return result as ResetResult<Float32Array>;
  }

  override step(action: A): StepResult<Float32Array> {
    const result = this.env.step(action) as unknown as StepResult<unknown>;
    result.observation = this.normalize(result.observation as BoxValue);
    return result as StepResult<Float32Array>;
  }

  /** Updates the statistics (unless frozen) and returns the normalised float32 observation. */
  normalize(observation: ArrayLike<number>): Float32Array {
    const rms = this.obsRms;
    if (this.updateRunningMean) rms.update(observation);
    const n = rms.size;
    const out = new Float32Array(n);
    const mean = rms.mean;
    const variance = rms.var;
    if (this.inner32) {
      const f = Math.fround;
      const eps32 = f(this.epsilon);
      for (let i = 0; i < n; i++) out[i] = f(observation[i]! - mean[i]!) / f(Math.sqrt(f(variance[i]! + eps32)));
    } else {
      for (let i = 0; i < n; i++) out[i] = (observation[i]! - mean[i]!) / Math.sqrt(variance[i]! + this.epsilon);
    }
    return out;
  }

  envState(): unknown {
    return { obsRms: this.obsRms.state(), updateRunningMean: this.updateRunningMean };
  }

  restoreEnvState(state: unknown): void {
    const s = expectStateObject(state, 'NormalizeObservation', ['obsRms', 'updateRunningMean']);
    this.obsRms.restore(s.obsRms);
    this.updateRunningMean = s.updateRunningMean !== false;
  }
}
