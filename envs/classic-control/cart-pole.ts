/**
 * CartPole-v1: a pole balanced on a cart pushed left or right, ported statement for statement from
 * Gymnasium 1.x `gymnasium/envs/classic_control/cartpole.py` (Barto, Sutton & Anderson 1983):
 * float64 state, explicit-Euler update with the old velocities, strict termination inequalities,
 * reward 1 (0 once stepped past termination), float32 observations; np.square is x * x and np.cos /
 * np.sin are the C library's (src/util/libm.ts), so a step rounds exactly as Gymnasium's.
 * Additions: `kinematicsIntegrator` is a kwarg (a plain attribute in Gymnasium), and the physical
 * constants can be changed through `setPhysics` (derived total mass and pole mass × length follow).
 */
import { libm } from '../../src/util/libm.ts';
import { BaseEnv } from '../core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { Discrete } from '../spaces.ts';
import { maybeParseResetBounds } from './reset-bounds.ts';
import {
  applySnapshot,
  checkKwargs,
  checkPhysics,
  checkState,
  float32Box,
  invalidAction,
  kwargBoolean,
  kwargChoice,
  resetNeeded,
  takeSnapshot,
} from './checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from './checks.ts';

export type CartPoleIntegrator = 'euler' | 'semi-implicit euler';

export interface CartPoleKwargs {
  /** Reward 0 per step and -1 on (and after) termination, as Sutton & Barto. Default false. */
  suttonBartoReward?: boolean;
  /** Gymnasium's `kinematics_integrator` attribute. Default 'euler'. */
  kinematicsIntegrator?: CartPoleIntegrator;
  /** Only null/absent: plasticd does not render. */
  renderMode?: null;
}

export interface CartPoleSnapshot extends ClassicEnvSnapshot {
  /** Gymnasium's steps_beyond_terminated, with null for None. */
  stepsBeyondTerminated: number | null;
}

const NAME = 'CartPoleEnv';
const KWARGS = ['suttonBartoReward', 'kinematicsIntegrator', 'renderMode'] as const;
const STATE_NAMES = ['x', 'xDot', 'theta', 'thetaDot'] as const;
const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = {
  gravity: 'finite',
  massCart: 'positive',
  massPole: 'nonnegative',
  length: 'positive',
  forceMag: 'finite',
  tau: 'positive',
};

export class CartPoleEnv extends BaseEnv<Float32Array, number> implements PhysicalEnv {
  readonly suttonBartoReward: boolean;
  readonly kinematicsIntegrator: CartPoleIntegrator;
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  readonly xThreshold = 2.4;
  readonly observationSpace: Float32Box;
  readonly actionSpace = new Discrete(2);

  private gravity = 9.8;
  private massCart = 1.0;
  private massPole = 0.1;
  private totalMass = this.massPole + this.massCart;
  private length = 0.5; // actually half the pole's length
  private polemassLength = this.massPole * this.length;
  private forceMag = 10.0;
  private tau = 0.02; // seconds between state updates
  private readonly semiImplicit: boolean;

  // State as four fields rather than an array: the step reads and writes them without indexing.
  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  private hasState = false;
  /** Gymnasium's steps_beyond_terminated; -1 stands for None. */
  private stepsBeyondTerminated = -1;

  constructor(kwargs: CartPoleKwargs | Record<string, unknown> = {}) {
    super();
    const k = checkKwargs(NAME, kwargs, KWARGS);
    this.suttonBartoReward = kwargBoolean(NAME, k, 'suttonBartoReward', false);
    this.kinematicsIntegrator = kwargChoice(NAME, k, 'kinematicsIntegrator', ['euler', 'semi-implicit euler'], 'euler');
    this.semiImplicit = this.kinematicsIntegrator !== 'euler';
    // Angle limit set to 2 * theta_threshold_radians so the failing observation is still in bounds.
    const high = [this.xThreshold * 2, Infinity, this.thetaThresholdRadians * 2, Infinity];
    this.observationSpace = float32Box(high.map((h) => -h), high);
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1) throw invalidAction(NAME, action, this.actionSpace);
    if (!this.hasState) throw resetNeeded(NAME);
    let x = this.x;
    let xDot = this.xDot;
    let theta = this.theta;
    let thetaDot = this.thetaDot;
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const costheta = libm.cos(theta); // np.cos/np.sin: the C library's, as numpy calls them
    const sintheta = libm.sin(theta);
    // Same association order as the Python expressions, so every rounding matches.
    const temp = (force + this.polemassLength * (thetaDot * thetaDot) * sintheta) / this.totalMass;
    const thetaacc =
      (this.gravity * sintheta - costheta * temp) /
      (this.length * (4.0 / 3.0 - (this.massPole * (costheta * costheta)) / this.totalMass));
    const xacc = temp - (this.polemassLength * thetaacc * costheta) / this.totalMass;
    const tau = this.tau;
    if (!this.semiImplicit) {
      x = x + tau * xDot;
      xDot = xDot + tau * xacc;
      theta = theta + tau * thetaDot;
      thetaDot = thetaDot + tau * thetaacc;
    } else {
      xDot = xDot + tau * xacc;
      x = x + tau * xDot;
      thetaDot = thetaDot + tau * thetaacc;
      theta = theta + tau * thetaDot;
    }
    this.x = x;
    this.xDot = xDot;
    this.theta = theta;
    this.thetaDot = thetaDot;

    const terminated =
      x < -this.xThreshold || x > this.xThreshold || theta < -this.thetaThresholdRadians || theta > this.thetaThresholdRadians;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated < 0) {
      this.stepsBeyondTerminated = 0; // the pole just fell
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      // Gymnasium warns here: stepping past termination is undefined behaviour.
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    const observation = new Float32Array(4);
    observation[0] = x;
    observation[1] = xDot;
    observation[2] = theta;
    observation[3] = thetaDot;
    return { observation, reward, terminated, truncated: false, info: {} };
  }

  /** Each state variable uniform in [low, high), default (-0.05, 0.05); `options` may set low/high. */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    const [low, high] = maybeParseResetBounds(args?.options, -0.05, 0.05);
    const rng = this.npRandom;
    this.x = rng.uniform(low, high);
    this.xDot = rng.uniform(low, high);
    this.theta = rng.uniform(low, high);
    this.thetaDot = rng.uniform(low, high);
    this.hasState = true;
    this.stepsBeyondTerminated = -1;
    return { observation: this.observe(), info: {} };
  }

  /** `[x, xDot, theta, thetaDot]` as float64 numbers. */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(NAME);
    return [this.x, this.xDot, this.theta, this.thetaDot];
  }

  set state(value: number[]) {
    const s = checkState(NAME, value, STATE_NAMES);
    this.x = s[0]!;
    this.xDot = s[1]!;
    this.theta = s[2]!;
    this.thetaDot = s[3]!;
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return {
      gravity: this.gravity,
      massCart: this.massCart,
      massPole: this.massPole,
      length: this.length,
      forceMag: this.forceMag,
      tau: this.tau,
    };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(NAME, name, value, PHYSICS);
    if (name === 'gravity') this.gravity = v;
    else if (name === 'massCart') this.massCart = v;
    else if (name === 'massPole') this.massPole = v;
    else if (name === 'length') this.length = v;
    else if (name === 'forceMag') this.forceMag = v;
    else this.tau = v;
    // Derived as in Gymnasium's __init__.
    this.totalMass = this.massPole + this.massCart;
    this.polemassLength = this.massPole * this.length;
  }

  envState(): CartPoleSnapshot {
    const stepsBeyondTerminated = this.stepsBeyondTerminated < 0 ? null : this.stepsBeyondTerminated;
    return { ...takeSnapshot(NAME, this, this.hasState ? this.state : null), stepsBeyondTerminated };
  }

  restoreEnvState(snapshot: unknown): void {
    const s = applySnapshot(NAME, this, snapshot, STATE_NAMES, Object.keys(PHYSICS)) as CartPoleSnapshot;
    if (s.state === null) this.hasState = false;
    else this.state = s.state;
    const beyond = s.stepsBeyondTerminated;
    this.stepsBeyondTerminated = typeof beyond === 'number' && beyond >= 0 ? beyond : -1;
  }

  private observe(): Float32Array {
    return Float32Array.of(this.x, this.xDot, this.theta, this.thetaDot);
  }
}
