/**
 * Hopper-v5: a planar one-legged robot rewarded for hopping along +x, after Gymnasium 1.x
 * `gymnasium/envs/mujoco/hopper_v5.py` (Erez, Tassa & Todorov 2011, "Infinite Horizon Model Predictive
 * Control for Nonlinear Periodic Tasks", RSS): 3 hinge motors with gear 200, frame skip 4 (dt 0.008 s),
 * reward = x velocity of the rootx slider + 1 while healthy − 1e-3·Σa². Healthy: every element of
 * state_vector()[2:] (qpos from the torso angle on, and all of qvel) strictly inside (−100, 100), the
 * torso z strictly inside (0.7, ∞) and its angle strictly inside (−0.2, 0.2). Observation (11): qpos
 * without x (5), then qvel clipped to ±10 (6). Reset: qpos and qvel each + U(±5e-3).
 * The model is Gymnasium's `assets/hopper.xml`, which hopper_v5.py loads by default (Gymnasium's
 * `assets/hopper_v5.xml` is an earlier v5 draft that no env loads). `PlanarLocomotionEnv` below is the
 * part Walker2d-v5 shares: walker2d_v5.py is hopper_v5.py with a second leg and no state range.
 */
import { readFileSync } from 'node:fs';
import type { Info } from '../core.ts';
import { checkKwargs, float32Box, kwargBoolean, kwargNumber } from '../classic-control/checks.ts';
import type { Float32Box } from '../classic-control/checks.ts';
import { kwargRange, MujocoEnv } from './mujoco-env.ts';
import type { MujocoStepOutcome } from './mujoco-env.ts';

/** hopper_v5.py and walker2d_v5.py clip every velocity in the observation to [-10, 10]. */
const VELOCITY_CLIP = 10;

/** What distinguishes Hopper-v5 from Walker2d-v5. */
export interface PlanarLocomotionConfig {
  envName: string;
  xml: string;
  kwargNames: readonly string[];
  healthyZRange: [number, number];
  healthyAngleRange: [number, number];
  /** Bounds on state_vector()[2:], or null for none (Walker2d has none, so a NaN velocity is healthy there). */
  healthyStateRange: [number, number] | null;
}

/**
 * Hopper and Walker2d v5: the forward reward from the rootx slider (qpos[0], so exact, unlike Ant's
 * xpos), the healthy reward only while healthy, terminated when unhealthy.
 */
export abstract class PlanarLocomotionEnv extends MujocoEnv {
  readonly observationSpace: Float32Box;
  private readonly forwardRewardWeight: number;
  private readonly ctrlCostWeight: number;
  private readonly healthyRewardWeight: number;
  private readonly terminateWhenUnhealthy: boolean;
  private readonly healthyStateRange: [number, number] | null;
  private readonly healthyZRange: [number, number];
  private readonly healthyAngleRange: [number, number];
  private readonly resetNoiseScale: number;
  private readonly excludePositions: boolean;
  private xBefore = 0;

  protected constructor(config: PlanarLocomotionConfig, kwargs: unknown) {
    const name = config.envName;
    const k = checkKwargs(name, kwargs, config.kwargNames);
    super(name, config.xml, kwargNumber(name, k, 'frameSkip', 4));
    this.forwardRewardWeight = kwargNumber(name, k, 'forwardRewardWeight', 1.0);
    this.ctrlCostWeight = kwargNumber(name, k, 'ctrlCostWeight', 1e-3);
    this.healthyRewardWeight = kwargNumber(name, k, 'healthyReward', 1.0);
    this.terminateWhenUnhealthy = kwargBoolean(name, k, 'terminateWhenUnhealthy', true);
    this.healthyStateRange = config.healthyStateRange === null ? null : kwargRange(name, k, 'healthyStateRange', config.healthyStateRange);
    this.healthyZRange = kwargRange(name, k, 'healthyZRange', config.healthyZRange);
    this.healthyAngleRange = kwargRange(name, k, 'healthyAngleRange', config.healthyAngleRange);
    this.resetNoiseScale = kwargNumber(name, k, 'resetNoiseScale', 5e-3);
    this.excludePositions = kwargBoolean(name, k, 'excludeCurrentPositionsFromObservation', true);
    this.observationSpace = float32Box(-Infinity, Infinity, [this.model.nq + this.model.nv - (this.excludePositions ? 1 : 0)]);
  }

  /** Gymnasium's is_healthy: strict inequalities, so a NaN or a value on a bound is unhealthy. */
  get isHealthy(): boolean {
    const qpos = this.data.qpos as Float64Array;
    const z = qpos[1]!;
    const angle = qpos[2]!;
    const [minZ, maxZ] = this.healthyZRange;
    const [minAngle, maxAngle] = this.healthyAngleRange;
    if (!(minZ < z && z < maxZ && minAngle < angle && angle < maxAngle)) return false;
    if (this.healthyStateRange === null) return true;
    const [low, high] = this.healthyStateRange;
    for (let i = 2; i < qpos.length; i++) if (!(low < qpos[i]! && qpos[i]! < high)) return false;
    for (const v of this.data.qvel as Float64Array) if (!(low < v && v < high)) return false;
    return true;
  }

  protected override beforeSimulation(): void {
    this.xBefore = (this.data.qpos as Float64Array)[0]!;
  }

  protected afterSimulation(): MujocoStepOutcome {
    const xPosition = (this.data.qpos as Float64Array)[0]!;
    const xVelocity = (xPosition - this.xBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const healthy = this.isHealthy;
    // Python's `is_healthy * healthy_reward`, sign of zero included.
    const healthyReward = Number(healthy) * this.healthyRewardWeight;
    const ctrlCost = this.ctrlCostWeight * this.actionSquaredSum();
    const info: Info = {
      ...this.positionInfo(),
      x_velocity: xVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_survive: healthyReward,
    };
    return { reward: forwardReward + healthyReward - ctrlCost, terminated: !healthy && this.terminateWhenUnhealthy, info };
  }

  protected observe(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const out = new Float32Array(this.observationSpace.shape[0]!);
    let j = 0;
    for (let i = this.excludePositions ? 1 : 0; i < qpos.length; i++) out[j++] = qpos[i]!;
    for (const v of qvel) out[j++] = v < -VELOCITY_CLIP ? -VELOCITY_CLIP : v > VELOCITY_CLIP ? VELOCITY_CLIP : v;
    return out;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'uniform');
  }

  protected override resetInfo(): Info {
    return this.positionInfo();
  }

  private positionInfo(): Info {
    const qpos = this.data.qpos as Float64Array;
    return { x_position: qpos[0], z_distance_from_origin: qpos[1]! - this.initQpos[1]! };
  }
}

export interface HopperKwargs {
  frameSkip?: number;
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  healthyReward?: number;
  terminateWhenUnhealthy?: boolean;
  healthyStateRange?: [number, number];
  healthyZRange?: [number, number];
  healthyAngleRange?: [number, number];
  resetNoiseScale?: number;
  excludeCurrentPositionsFromObservation?: boolean;
  renderMode?: null;
}

const HOPPER: PlanarLocomotionConfig = {
  envName: 'HopperEnv',
  xml: readFileSync(new URL('./assets/hopper.xml', import.meta.url), 'utf8'),
  kwargNames: [
    'frameSkip', 'forwardRewardWeight', 'ctrlCostWeight', 'healthyReward', 'terminateWhenUnhealthy', 'healthyStateRange', 'healthyZRange',
    'healthyAngleRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'renderMode',
  ],
  healthyStateRange: [-100.0, 100.0],
  healthyZRange: [0.7, Infinity],
  healthyAngleRange: [-0.2, 0.2],
};

export class HopperEnv extends PlanarLocomotionEnv {
  constructor(kwargs: HopperKwargs | Record<string, unknown> = {}) {
    super(HOPPER, kwargs);
  }
}
