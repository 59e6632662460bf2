/**
 * The base of the MuJoCo locomotion envs, after Gymnasium 1.x `gymnasium/envs/mujoco/mujoco_env.py`:
 * one MjModel/MjData pair built from the model XML, `frameSkip` physics steps per env step with the
 * control held (then mj_rnePostConstraint, so cfrc_ext holds the contact forces), `dt` = timestep ×
 * frameSkip, reset = mj_resetData then the env's `resetModel`, `setState(qpos, qvel)` then mj_forward,
 * and the action space taken from the actuators' ctrlrange (float32).
 * Deviations: observations are Float32Array (Gymnasium's are float64; plasticd's networks are float32),
 * the control cost sums the squared action in float64, and the physical parameters a DriftingPhysics
 * wrapper may change are `friction` (the sliding
 * friction of the floor, geom 0, with every other geom keeping its ratio to it: on Ant, whose geoms
 * share one friction, that is every geom's, which is what the Slippery Ant reference sets through the
 * default geom; on Hopper and Walker2d the feet stay grippier than the floor),
 * `gravity` (its z component) and `massScale` (every body's mass and inertia, from the model's values).
 */
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';
import { BaseEnv } from '../core.ts';
import type { Info, PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { applySnapshot, checkPhysics, checkState, float32Box, invalidAction, resetNeeded, takeSnapshot } from '../classic-control/checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from '../classic-control/checks.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { mujoco } from './runtime.ts';

export type MujocoAction = Float32Array | Float64Array | number[];

/** A `[low, high]` kwarg (Gymnasium's range tuples), with low <= high; the bounds may be infinite. */
export function kwargRange(envName: string, kwargs: Record<string, unknown>, key: string, fallback: [number, number]): [number, number] {
  const v = kwargs[key];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && !Number.isNaN(x)) || v[0] > v[1]) {
    throw new PlasticdError('invalid_kwargs', `${envName}: kwarg "${key}" must be [low, high] with low <= high, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

export interface MujocoSnapshot extends ClassicEnvSnapshot {
  /** mj_getState(mjSTATE_INTEGRATION): time, qpos, qvel, act, warm start, controls, applied forces… */
  integration: number[] | null;
}

const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = { friction: 'nonnegative', gravity: 'finite', massScale: 'positive' };

/** What a subclass computes from one simulated step. */
export interface MujocoStepOutcome {
  reward: number;
  terminated: boolean;
  info: Info;
}

export abstract class MujocoEnv extends BaseEnv<Float32Array, MujocoAction> implements PhysicalEnv {
  override readonly actionSpace: Float32Box;
  abstract override readonly observationSpace: Float32Box;
  protected readonly engine: MainModule;
  protected readonly model: MjModel;
  protected readonly data: MjData;
  readonly frameSkip: number;
  /** The model's initial qpos / qvel (Gymnasium's init_qpos / init_qvel). */
  protected readonly initQpos: Float64Array;
  protected readonly initQvel: Float64Array;
  /** The float64 action of the current step (the action's own values; MuJoCo clamps ctrl to ctrlrange). */
  protected readonly action: Float64Array;
  private hasState = false;
  private closed = false;
  private friction: number;
  /** The model's sliding friction of each geom, which `friction` scales. */
  private readonly geomFriction: Float64Array;
  private gravity: number;
  private massScale = 1;
  private readonly bodyMass: Float64Array;
  private readonly bodyInertia: Float64Array;
  private readonly stateNames: string[];

  protected constructor(
    protected readonly envName: string,
    xml: string,
    frameSkip: number,
  ) {
    super();
    if (!Number.isInteger(frameSkip) || frameSkip < 1) throw new PlasticdError('invalid_kwargs', `${envName}: kwarg "frameSkip" must be a positive integer, got ${String(frameSkip)}`);
    this.engine = mujoco();
    this.model = this.engine.MjModel.from_xml_string(xml);
    this.data = new this.engine.MjData(this.model);
    this.frameSkip = frameSkip;
    this.initQpos = Float64Array.from(this.data.qpos as Float64Array);
    this.initQvel = Float64Array.from(this.data.qvel as Float64Array);
    const range = this.model.actuator_ctrlrange as Float64Array;
    const nu = this.model.nu;
    const low = Array.from({ length: nu }, (_, i) => range[2 * i]!);
    const high = Array.from({ length: nu }, (_, i) => range[2 * i + 1]!);
    this.actionSpace = float32Box(low, high, [nu]);
    this.action = new Float64Array(nu);
    this.geomFriction = Float64Array.from({ length: this.model.ngeom }, (_, g) => (this.model.geom_friction as Float64Array)[3 * g]!);
    this.friction = this.geomFriction[0]!;
    this.gravity = (this.model.opt.gravity as Float64Array)[2]!;
    this.bodyMass = Float64Array.from(this.model.body_mass as Float64Array);
    this.bodyInertia = Float64Array.from(this.model.body_inertia as Float64Array);
    this.stateNames = [...Array.from({ length: this.model.nq }, (_, i) => `qpos${i}`), ...Array.from({ length: this.model.nv }, (_, i) => `qvel${i}`)];
  }

  /** Seconds of simulated time per env step. */
  get dt(): number {
    return this.model.opt.timestep * this.frameSkip;
  }

  /** The env's part of a step: reward, termination and info from the state after the simulation. */
  protected abstract afterSimulation(): MujocoStepOutcome;
  /** Gymnasium's _get_obs. */
  protected abstract observe(): Float32Array;
  /** Gymnasium's reset_model: draw the initial state with this.npRandom and set it. */
  protected abstract resetModel(): void;
  /** Called before the simulation, e.g. to remember the torso's position. */
  protected beforeSimulation(): void {}

  step(action: MujocoAction): StepResult<Float32Array> {
    this.checkOpen();
    const nu = this.model.nu;
    if (action === null || typeof action !== 'object' || action.length !== nu) throw invalidAction(this.envName, action, this.actionSpace);
    if (!this.hasState) throw resetNeeded(this.envName);
    const isFloat64 = action instanceof Float64Array;
    for (let i = 0; i < nu; i++) {
      const a = action[i]!;
      if (typeof a !== 'number' || Number.isNaN(a)) throw invalidAction(this.envName, action, this.actionSpace);
      this.action[i] = isFloat64 ? a : Math.fround(a);
    }
    this.beforeSimulation();
    this.doSimulation();
    const { reward, terminated, info } = this.afterSimulation();
    return { observation: this.observe(), reward, terminated, truncated: false, info };
  }

  /** data.ctrl ← action, frameSkip mj_step, then mj_rnePostConstraint (Gymnasium's _step_mujoco_simulation). */
  private doSimulation(): void {
    (this.data.ctrl as Float64Array).set(this.action);
    for (let k = 0; k < this.frameSkip; k++) this.engine.mj_step(this.model, this.data);
    this.engine.mj_rnePostConstraint(this.model, this.data);
  }

  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.checkOpen();
    this.seedOnReset(args);
    this.engine.mj_resetData(this.model, this.data);
    this.resetModel();
    this.hasState = true;
    return { observation: this.observe(), info: this.resetInfo() };
  }

  protected resetInfo(): Info {
    return {};
  }

  /** Gymnasium's set_state: qpos and qvel, then mj_forward so every derived quantity follows. */
  protected setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    (this.data.qpos as Float64Array).set(qpos);
    (this.data.qvel as Float64Array).set(qvel);
    this.engine.mj_forward(this.model, this.data);
  }

  /** qpos (nq values) then qvel (nv values), as Gymnasium's state_vector(). */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(this.envName);
    return [...(this.data.qpos as Float64Array), ...(this.data.qvel as Float64Array)];
  }

  set state(value: number[]) {
    this.checkOpen();
    const v = checkState(this.envName, value, this.stateNames);
    const nq = this.model.nq;
    this.setState(Array.prototype.slice.call(v, 0, nq) as number[], Array.prototype.slice.call(v, nq) as number[]);
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return { friction: this.friction, gravity: this.gravity, massScale: this.massScale };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(this.envName, name, value, PHYSICS);
    if (name === 'friction') {
      const friction = this.model.geom_friction as Float64Array;
      const floor = this.geomFriction[0]!;
      for (let g = 0; g < this.model.ngeom; g++) {
        const own = this.geomFriction[g]!;
        friction[3 * g] = own === floor || floor === 0 ? v : own * (v / floor);
      }
      this.friction = v;
    } else if (name === 'gravity') {
      (this.model.opt.gravity as Float64Array)[2] = v;
      this.gravity = v;
    } else {
      const mass = this.model.body_mass as Float64Array;
      const inertia = this.model.body_inertia as Float64Array;
      for (let i = 0; i < mass.length; i++) mass[i] = this.bodyMass[i]! * v;
      for (let i = 0; i < inertia.length; i++) inertia[i] = this.bodyInertia[i]! * v;
      this.massScale = v;
    }
  }

  envState(): MujocoSnapshot {
    const base = takeSnapshot(this.envName, this, this.hasState ? this.state : null);
    return { ...base, integration: this.hasState ? this.integrationState() : null };
  }

  restoreEnvState(snapshot: unknown): void {
    this.checkOpen();
    const s = applySnapshot(this.envName, this, snapshot, this.stateNames, Object.keys(PHYSICS)) as MujocoSnapshot;
    if (s.state === null) {
      this.hasState = false;
      return;
    }
    const size = this.engine.mj_stateSize(this.model, this.engine.mjtState.mjSTATE_INTEGRATION.value);
    if (!Array.isArray(s.integration) || s.integration.length !== size) {
      throw new PlasticdError('env_state_mismatch', `${this.envName}: cannot restore env state: integration state must be ${size} numbers`);
    }
    this.engine.mj_setState(this.model, this.data, s.integration, this.engine.mjtState.mjSTATE_INTEGRATION.value);
    this.engine.mj_forward(this.model, this.data);
    this.hasState = true;
  }

  /** Every quantity the integrator reads, so a restored env continues bit for bit. */
  private integrationState(): number[] {
    const spec = this.engine.mjtState.mjSTATE_INTEGRATION.value;
    const buffer = new this.engine.DoubleBuffer(this.engine.mj_stateSize(this.model, spec));
    try {
      this.engine.mj_getState(this.model, this.data, buffer, spec);
      return Array.from(buffer.GetView() as Float64Array);
    } finally {
      buffer.delete();
    }
  }

  /** Frees the MuJoCo model and data; the env cannot be used afterwards. */
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.data.delete();
    this.model.delete();
  }

  private checkOpen(): void {
    if (this.closed) throw new PlasticdError('env_closed', `${this.envName}: the env was closed`);
  }

  /** Body `body`'s world position component `axis` (data.xpos). */
  protected bodyPosition(body: number, axis: number): number {
    return (this.data.xpos as Float64Array)[3 * body + axis]!;
  }

  /**
   * Gymnasium's reset noise: qpos + U(-s, s), then qvel + s·N(0, 1) (Ant, HalfCheetah) or qvel + U(-s, s)
   * (Hopper, Walker2d); every qpos draw comes before the first qvel draw.
   */
  protected resetWithNoise(scale: number, velocityNoise: 'normal' | 'uniform' = 'normal'): void {
    const rng = this.npRandom;
    const qpos = Float64Array.from(this.initQpos, (q) => q + rng.uniform(-scale, scale));
    const qvel = new Float64Array(this.initQvel.length);
    for (let i = 0; i < qvel.length; i++) {
      qvel[i] = this.initQvel[i]! + (velocityNoise === 'uniform' ? rng.uniform(-scale, scale) : scale * rng.normal());
    }
    this.setState(qpos, qvel);
  }

  /**
   * Σ action², in float64 (numpy squares and sums a float32 action in float32: the control cost then
   * differs from Gymnasium's below float32 precision).
   */
  protected actionSquaredSum(): number {
    let sum = 0;
    const a = this.action;
    for (let i = 0; i < a.length; i++) sum += a[i]! * a[i]!;
    return sum;
  }
}
