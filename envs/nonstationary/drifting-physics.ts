/**
 * DriftingPhysics: changes named physical parameters of the wrapped env (its unwrapped
 * `PhysicalEnv`) on a schedule, e.g. CartPole's pole length every 20k steps, or a Slippery-Ant-like
 * switch at episode ends (Dohare et al. 2024, "Loss of plasticity in deep continual learning",
 * `lop/envs/slippery_ant.py`; algorithms.md §4.6). Values come from a list (cycled or random) or
 * log-uniformly from a range; with `relative` they are factors of the parameter's value when the
 * wrapper was built. Deviation: the first regime is the env's own parameters, not a drawn value.
 */
import { isPhysicalEnv } from '../core.ts';
import type { Env, ResetArgs, ResetResult, StepResult, PhysicalEnv } from '../core.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { NonstationaryWrapper } from './nonstationary-wrapper.ts';
import { ValueSource } from './schedule.ts';
import type { ValueSpec } from './schedule.ts';
import type { NonstationaryOptions, ShiftParams } from './shift.ts';

export interface PhysicsDrift extends ValueSpec {
  /** Values (or the range) are factors of the parameter's original value. Default false. */
  relative?: boolean;
}

export interface DriftingPhysicsOptions extends NonstationaryOptions {
  /** Physical parameter name (as in the env's `physics` record) → how it drifts. */
  parameters: Record<string, PhysicsDrift>;
}

interface DriftedParameter {
  name: string;
  source: ValueSource;
  relative: boolean;
  original: number;
}

export class DriftingPhysics<O = unknown, A = unknown> extends NonstationaryWrapper<O, A> {
  private readonly target: PhysicalEnv;
  private readonly drifted: DriftedParameter[];

  constructor(env: Env<O, A>, options: DriftingPhysicsOptions) {
    super(env, options, 'physics');
    const inner = env.unwrapped;
    if (!isPhysicalEnv(inner)) {
      throw new PlasticdError('not_physical_env', `DriftingPhysics needs an env with physical parameters (a PhysicalEnv), but ${String(inner)} has none`);
    }
    this.target = inner;
    const names = Object.keys(options.parameters ?? {});
    if (names.length === 0) throw new PlasticdError('invalid_option', 'DriftingPhysics: "parameters" must name at least one physical parameter');
    const physics = inner.physics;
    const valid = Object.keys(physics);
    this.drifted = names.map((name) => {
      if (!Object.hasOwn(physics, name)) {
        throw new PlasticdError('unknown_physics_parameter', `DriftingPhysics: ${String(inner)} has no physical parameter "${name}"; valid ones: ${valid.join(', ')}`);
      }
      const spec = options.parameters[name]!;
      return { name, source: new ValueSource(spec, `DriftingPhysics parameter "${name}"`), relative: spec.relative === true, original: physics[name]! };
    });
  }

  /** Current values of the drifted parameters, read back from the env. */
  get params(): ShiftParams {
    const physics = this.target.physics;
    const out: ShiftParams = {};
    for (const p of this.drifted) out[p.name] = physics[p.name];
    return out;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    this.beginReset(args);
    return this.env.reset(args);
  }

  override step(action: A): StepResult<O> {
    const result = this.env.step(action);
    const shift = this.tick(result.terminated, result.truncated);
    if (shift === null) return result;
    return { ...result, info: DriftingPhysics.withShift(result.info, shift) };
  }

  protected drawRegime(): void {
    for (const p of this.drifted) {
      const value = p.source.next(this.rng);
      this.target.setPhysics(p.name, p.relative ? p.original * value : value);
    }
  }

  protected resetRegime(): void {
    for (const p of this.drifted) {
      p.source.index = -1;
      this.target.setPhysics(p.name, p.original);
    }
  }

  protected regimeState(): unknown {
    return { values: this.params, indices: this.drifted.map((p) => p.source.index) };
  }

  protected restoreRegime(state: unknown): void {
    const { values, indices } = state as { values: Record<string, number>; indices: number[] };
    if (typeof values !== 'object' || values === null || !Array.isArray(indices) || indices.length !== this.drifted.length) {
      throw new PlasticdError('invalid_env_state', `DriftingPhysics: regime state does not match the drifted parameters ${this.drifted.map((p) => p.name).join(', ')}`);
    }
    this.drifted.forEach((p, i) => {
      const value = values[p.name];
      if (typeof value !== 'number') throw new PlasticdError('invalid_env_state', `DriftingPhysics: regime state has no value for "${p.name}"`);
      this.target.setPhysics(p.name, value);
      p.source.index = indices[i]!;
    });
  }
}
