/**
 * Pendulum-v1: swing a pendulum upright and hold it there with a bounded torque. Ported statement
 * for statement from Gymnasium 1.x `gymnasium/envs/classic_control/pendulum.py`: the torque is
 * clipped, the cost uses the angle normalised into [-pi, pi) and the pre-update state, then
 * semi-implicit Euler with the angular velocity clipped to +-maxSpeed; never terminates.
 * numpy 2 dtypes are followed: a Float32Array or number[] action is a float32 ndarray, the action
 * space's dtype (u**2 and the torque term run in float32); a Float64Array one is a float64 ndarray.
 * np.sin/np.cos and every `**2` (C pow, or powf on a float32 torque) are the C library's
 * (src/util/libm.ts), so a step rounds exactly as Gymnasium's.
 */
import { libm } from '../../src/util/libm.ts';
import { BaseEnv } from '../core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { verifyNumberAndCast } from './reset-bounds.ts';
import { applySnapshot, checkKwargs, checkPhysics, checkState, float32Box, invalidAction, kwargNumber, resetNeeded, takeSnapshot } from './checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from './checks.ts';

export interface PendulumKwargs {
  /** Gravitational acceleration (m/s²). Default 10.0. */
  g?: number;
  renderMode?: null;
}

export type PendulumAction = Float32Array | Float64Array | number[];

const NAME = 'PendulumEnv';
const KWARGS = ['g', 'renderMode'] as const;
const STATE_NAMES = ['theta', 'thetaDot'] as const;
const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = {
  g: 'finite',
  m: 'positive',
  l: 'positive',
  dt: 'positive',
  maxSpeed: 'positive',
  maxTorque: 'positive',
};
const DEFAULT_X = Math.PI;
const DEFAULT_Y = 1.0;
const TWO_PI = 2 * Math.PI;
const f32 = Math.fround;

/** Gymnasium's angle_normalize: ((x + pi) % (2 pi)) - pi with numpy's floored remainder. */
export function angleNormalize(x: number): number {
  const a = x + Math.PI;
  let mod = a % TWO_PI; // C fmod
  if (mod !== 0) {
    if (mod < 0 !== TWO_PI < 0) mod += TWO_PI;
  } else {
    mod = 0; // npy_copysign(0, 2 pi)
  }
  return mod - Math.PI;
}

export class PendulumEnv extends BaseEnv<Float32Array, PendulumAction> implements PhysicalEnv {
  readonly observationSpace: Float32Box;
  readonly actionSpace: Float32Box;

  private maxSpeed = 8;
  private maxTorque = 2.0;
  private dt = 0.05;
  private g: number;
  private m = 1.0;
  private l = 1.0;
  private theta = 0;
  private thetaDot = 0;
  private hasState = false;
  /** The last clipped torque (Gymnasium keeps it for rendering); NaN before the first step. */
  lastU = NaN;

  constructor(kwargs: PendulumKwargs | Record<string, unknown> = {}) {
    super();
    const k = checkKwargs(NAME, kwargs, KWARGS);
    this.g = kwargNumber(NAME, k, 'g', 10.0);
    // Spaces keep their construction-time bounds even if maxSpeed/maxTorque change, as in Gymnasium.
    this.actionSpace = float32Box(-this.maxTorque, this.maxTorque, [1]);
    this.observationSpace = float32Box([-1.0, -1.0, -this.maxSpeed], [1.0, 1.0, this.maxSpeed]);
  }

  step(action: PendulumAction): StepResult<Float32Array> {
    // Out-of-range torques are valid (clipped); only malformed input is not.
    if (action === null || typeof action !== 'object' || action.length !== 1 || typeof action[0] !== 'number' || Number.isNaN(action[0])) {
      throw invalidAction(NAME, action, this.actionSpace);
    }
    if (!this.hasState) throw resetNeeded(NAME);
    const th = this.theta;
    const thdot = this.thetaDot;
    const g = this.g;
    const m = this.m;
    const l = this.l;
    const dt = this.dt;
    // u = np.clip(u, -max_torque, max_torque)[0]: a float32 array keeps float32 (bounds cast to it).
    const isF32 = !(action instanceof Float64Array);
    let u = isF32 ? f32(action[0]) : action[0];
    const lo = isF32 ? f32(-this.maxTorque) : -this.maxTorque;
    const hi = isF32 ? f32(this.maxTorque) : this.maxTorque;
    u = u < lo ? lo : u > hi ? hi : u;
    this.lastU = u;
    const pow = libm.pow;
    const torqueCost = isF32 ? f32(f32(0.001) * libm.powf(u, 2)) : 0.001 * pow(u, 2);
    const costs = pow(angleNormalize(th), 2) + 0.1 * pow(thdot, 2) + torqueCost;
    const invInertia = 3.0 / (m * pow(l, 2));
    const torqueTerm = isF32 ? f32(f32(invInertia) * u) : invInertia * u;
    let newthdot = thdot + (((3 * g) / (2 * l)) * libm.sin(th) + torqueTerm) * dt;
    newthdot = newthdot < -this.maxSpeed ? -this.maxSpeed : newthdot > this.maxSpeed ? this.maxSpeed : newthdot;
    const newth = th + newthdot * dt;
    this.theta = newth;
    this.thetaDot = newthdot;
    const observation = new Float32Array(3);
    observation[0] = libm.cos(newth);
    observation[1] = libm.sin(newth);
    observation[2] = newthdot;
    return { observation, reward: -costs, terminated: false, truncated: false, info: {} };
  }

  /**
   * theta uniform in [-x, x), thetaDot in [-y, y); x = pi and y = 1 unless `options.x_init` /
   * `options.y_init` (also accepted as xInit / yInit) say otherwise.
   */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    const options = args?.options;
    let x = DEFAULT_X;
    let y = DEFAULT_Y;
    if (options !== undefined && options !== null) {
      const xOption = options.x_init !== undefined ? options.x_init : options.xInit;
      const yOption = options.y_init !== undefined ? options.y_init : options.yInit;
      if (xOption !== undefined) x = verifyNumberAndCast(xOption);
      if (yOption !== undefined) y = verifyNumberAndCast(yOption);
    }
    const rng = this.npRandom;
    this.theta = rng.uniform(-x, x);
    this.thetaDot = rng.uniform(-y, y);
    this.lastU = NaN;
    this.hasState = true;
    return { observation: Float32Array.of(libm.cos(this.theta), libm.sin(this.theta), this.thetaDot), info: {} };
  }

  /** `[theta, thetaDot]`; theta = 0 is upright and is never wrapped in the state. */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(NAME);
    return [this.theta, this.thetaDot];
  }

  set state(value: number[]) {
    const v = checkState(NAME, value, STATE_NAMES);
    this.theta = v[0]!;
    this.thetaDot = v[1]!;
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return { g: this.g, m: this.m, l: this.l, dt: this.dt, maxSpeed: this.maxSpeed, maxTorque: this.maxTorque };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(NAME, name, value, PHYSICS);
    if (name === 'g') this.g = v;
    else if (name === 'm') this.m = v;
    else if (name === 'l') this.l = v;
    else if (name === 'dt') this.dt = v;
    else if (name === 'maxSpeed') this.maxSpeed = v;
    else this.maxTorque = v;
  }

  envState(): ClassicEnvSnapshot {
    return takeSnapshot(NAME, this, this.hasState ? this.state : null);
  }

  restoreEnvState(snapshot: unknown): void {
    const s = applySnapshot(NAME, this, snapshot, STATE_NAMES, Object.keys(PHYSICS));
    if (s.state === null) this.hasState = false;
    else this.state = s.state;
  }
}
