/**
 * Acrobot-v1: a two-link pendulum actuated at the middle joint, swung until its tip rises above a
 * bar. Ported statement for statement from Gymnasium 1.x `gymnasium/envs/classic_control/acrobot.py`
 * (Sutton 1996 / Sutton & Barto "book" dynamics): one classical RK4 step of `dt` with the torque
 * held, angles wrapped into [-pi, pi], velocities bounded, reward -1 per step and 0 on termination.
 * numpy's cos/sin and `x**2` (C pow on np.float64 scalars, not x * x: glibc's pow(x, 2) differs
 * from x * x in about 1 case in 1000) are the C library's (src/util/libm.ts); the dynamics are
 * chaotic, so one ulp anywhere shows in the float32 observations a few hundred steps later.
 * Deviations: gravity (hard-coded 9.8 in Gymnasium's _dsdt) and the link constants are settable
 * physics; `bookOrNips` is a kwarg (an attribute in Gymnasium).
 */
import { libm } from '../../src/util/libm.ts';
import { BaseEnv } from '../core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { Discrete } from '../spaces.ts';
import { maybeParseResetBounds } from './reset-bounds.ts';
import { applySnapshot, checkKwargs, checkPhysics, checkState, float32Box, invalidAction, kwargChoice, resetNeeded, takeSnapshot } from './checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from './checks.ts';

export type AcrobotDynamics = 'book' | 'nips';

export interface AcrobotKwargs {
  /** 'book' (default, as Gymnasium) or 'nips' (the NeurIPS 1995 paper's equations, missing a term). */
  bookOrNips?: AcrobotDynamics;
  renderMode?: null;
}

const NAME = 'AcrobotEnv';
const KWARGS = ['bookOrNips', 'renderMode'] as const;
const STATE_NAMES = ['theta1', 'theta2', 'dtheta1', 'dtheta2'] as const;
const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = {
  linkLength1: 'positive',
  linkLength2: 'positive',
  linkMass1: 'positive',
  linkMass2: 'positive',
  linkComPosition1: 'nonnegative',
  linkComPosition2: 'nonnegative',
  linkMoi: 'positive',
  gravity: 'finite',
  dt: 'positive',
};
const PI = Math.PI;

export class AcrobotEnv extends BaseEnv<Float32Array, number> implements PhysicalEnv {
  static readonly MAX_VEL_1 = 4 * PI;
  static readonly MAX_VEL_2 = 9 * PI;
  /** Torque for actions 0, 1, 2. */
  static readonly AVAIL_TORQUE: readonly number[] = [-1.0, 0.0, +1];

  readonly bookOrNips: AcrobotDynamics;
  readonly observationSpace: Float32Box;
  readonly actionSpace = new Discrete(3);

  private linkLength1 = 1.0; // [m]
  private linkLength2 = 1.0; // [m] (only drawn, never in the dynamics)
  private linkMass1 = 1.0; // [kg]
  private linkMass2 = 1.0;
  private linkComPosition1 = 0.5; // [m] position of the centre of mass of link 1
  private linkComPosition2 = 0.5;
  private linkMoi = 1.0; // moment of inertia of both links
  private gravity = 9.8;
  private dt = 0.2;
  private readonly nips: boolean;

  private readonly s = new Float64Array(4);
  /** RK4 slopes k1..k4, four entries each; scratch reused by every step. */
  private readonly k = new Float64Array(16);
  private hasState = false;

  constructor(kwargs: AcrobotKwargs | Record<string, unknown> = {}) {
    super();
    const k = checkKwargs(NAME, kwargs, KWARGS);
    this.bookOrNips = kwargChoice(NAME, k, 'bookOrNips', ['book', 'nips'], 'book');
    this.nips = this.bookOrNips === 'nips';
    const high = [1.0, 1.0, 1.0, 1.0, AcrobotEnv.MAX_VEL_1, AcrobotEnv.MAX_VEL_2];
    this.observationSpace = float32Box(high.map((h) => -h), high);
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw invalidAction(NAME, action, this.actionSpace);
    if (!this.hasState) throw resetNeeded(NAME);
    const torque = action - 1; // AVAIL_TORQUE[action]; Gymnasium's torque noise is 0
    const s = this.s;
    const k = this.k;
    // rk4(self._dsdt, s_augmented, [0, dt]): the torque rides along as a fifth, constant component.
    const dt = this.dt - 0;
    const dt2 = dt / 2.0;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    this.dsdt(s0, s1, s2, s3, torque, 0);
    this.dsdt(s0 + dt2 * k[0]!, s1 + dt2 * k[1]!, s2 + dt2 * k[2]!, s3 + dt2 * k[3]!, torque, 4);
    this.dsdt(s0 + dt2 * k[4]!, s1 + dt2 * k[5]!, s2 + dt2 * k[6]!, s3 + dt2 * k[7]!, torque, 8);
    this.dsdt(s0 + dt * k[8]!, s1 + dt * k[9]!, s2 + dt * k[10]!, s3 + dt * k[11]!, torque, 12);
    const sixth = dt / 6.0;
    let n0 = s0 + sixth * (k[0]! + 2 * k[4]! + 2 * k[8]! + k[12]!);
    let n1 = s1 + sixth * (k[1]! + 2 * k[5]! + 2 * k[9]! + k[13]!);
    let n2 = s2 + sixth * (k[2]! + 2 * k[6]! + 2 * k[10]! + k[14]!);
    let n3 = s3 + sixth * (k[3]! + 2 * k[7]! + 2 * k[11]! + k[15]!);
    // wrap(x, -pi, pi)
    const diff = PI - -PI;
    while (n0 > PI) n0 = n0 - diff;
    while (n0 < -PI) n0 = n0 + diff;
    while (n1 > PI) n1 = n1 - diff;
    while (n1 < -PI) n1 = n1 + diff;
    // bound(x, m, M) = min(max(x, m), M)
    n2 = n2 < -AcrobotEnv.MAX_VEL_1 ? -AcrobotEnv.MAX_VEL_1 : n2;
    n2 = n2 > AcrobotEnv.MAX_VEL_1 ? AcrobotEnv.MAX_VEL_1 : n2;
    n3 = n3 < -AcrobotEnv.MAX_VEL_2 ? -AcrobotEnv.MAX_VEL_2 : n3;
    n3 = n3 > AcrobotEnv.MAX_VEL_2 ? AcrobotEnv.MAX_VEL_2 : n3;
    s[0] = n0;
    s[1] = n1;
    s[2] = n2;
    s[3] = n3;
    const cos0 = libm.cos(n0);
    const terminated = -cos0 - libm.cos(n1 + n0) > 1.0;
    const observation = new Float32Array(6);
    observation[0] = cos0;
    observation[1] = libm.sin(n0);
    observation[2] = libm.cos(n1);
    observation[3] = libm.sin(n1);
    observation[4] = n2;
    observation[5] = n3;
    return { observation, reward: terminated ? 0.0 : -1.0, terminated, truncated: false, info: {} };
  }

  /** Gymnasium's _dsdt; writes (dtheta1, dtheta2, ddtheta1, ddtheta2) to k[offset..offset+3]. */
  private dsdt(theta1: number, theta2: number, dtheta1: number, dtheta2: number, a: number, offset: number): void {
    const m1 = this.linkMass1;
    const m2 = this.linkMass2;
    const l1 = this.linkLength1;
    const lc1 = this.linkComPosition1;
    const lc2 = this.linkComPosition2;
    const I1 = this.linkMoi;
    const I2 = this.linkMoi;
    const g = this.gravity;
    const pow = libm.pow;
    const cos2 = libm.cos(theta2);
    const sin2 = libm.sin(theta2);
    // Association follows the Python source term by term; every `**2` is pow(·, 2).
    const lc2Squared = pow(lc2, 2);
    const d1 = m1 * pow(lc1, 2) + m2 * (pow(l1, 2) + lc2Squared + 2 * l1 * lc2 * cos2) + I1 + I2;
    const d2 = m2 * (lc2Squared + l1 * lc2 * cos2) + I2;
    const phi2 = m2 * lc2 * g * libm.cos(theta1 + theta2 - PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * pow(dtheta2, 2) * sin2 -
      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2 +
      (m1 * lc1 + m2 * l1) * g * libm.cos(theta1 - PI / 2) +
      phi2;
    let ddtheta2: number;
    if (this.nips) {
      ddtheta2 = (a + (d2 / d1) * phi1 - phi2) / (m2 * lc2Squared + I2 - pow(d2, 2) / d1);
    } else {
      ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * pow(dtheta1, 2) * sin2 - phi2) / (m2 * lc2Squared + I2 - pow(d2, 2) / d1);
    }
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    const k = this.k;
    k[offset] = dtheta1;
    k[offset + 1] = dtheta2;
    k[offset + 2] = ddtheta1;
    k[offset + 3] = ddtheta2;
  }

  /** Each state variable uniform in [low, high), default (-0.1, 0.1), then cast to float32 as Gymnasium. */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    const [low, high] = maybeParseResetBounds(args?.options, -0.1, 0.1);
    const rng = this.npRandom;
    for (let i = 0; i < 4; i++) this.s[i] = Math.fround(rng.uniform(low, high));
    this.hasState = true;
    return { observation: this.observe(), info: {} };
  }

  /** `[theta1, theta2, dtheta1, dtheta2]`; theta1 = 0 hangs down, theta2 is relative to link 1. */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(NAME);
    return Array.from(this.s);
  }

  set state(value: number[]) {
    const v = checkState(NAME, value, STATE_NAMES);
    for (let i = 0; i < 4; i++) this.s[i] = v[i]!;
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return {
      linkLength1: this.linkLength1,
      linkLength2: this.linkLength2,
      linkMass1: this.linkMass1,
      linkMass2: this.linkMass2,
      linkComPosition1: this.linkComPosition1,
      linkComPosition2: this.linkComPosition2,
      linkMoi: this.linkMoi,
      gravity: this.gravity,
      dt: this.dt,
    };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(NAME, name, value, PHYSICS);
    (this as unknown as Record<string, number>)[name] = v;
  }

  envState(): ClassicEnvSnapshot {
    return takeSnapshot(NAME, this, this.hasState ? this.state : null);
  }

  restoreEnvState(snapshot: unknown): void {
    const s = applySnapshot(NAME, this, snapshot, STATE_NAMES, Object.keys(PHYSICS));
    if (s.state === null) this.hasState = false;
    else this.state = s.state;
  }

  private observe(): Float32Array {
    const s = this.s;
    return Float32Array.of(libm.cos(s[0]!), libm.sin(s[0]!), libm.cos(s[1]!), libm.sin(s[1]!), s[2]!, s[3]!);
  }
}
