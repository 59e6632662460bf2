/**
 * Ant-v5: a four-legged robot rewarded for running along +x, after Gymnasium 1.x
 * `gymnasium/envs/mujoco/ant_v5.py` (Schulman et al. 2016, arXiv:1506.02438): 8 hinge motors with
 * gear 150, frame skip 5 (dt 0.05 s), reward = forward velocity of the torso + healthy reward −
 * 0.5·Σa² − 5e-4·Σ clip(cfrc_ext, −1, 1)², terminated when the torso's z leaves [0.2, 1] or the
 * state is not finite. Observation (105): qpos without x, y (13), qvel (14), and the clipped external
 * contact forces of bodies 1–13 (78). Every Gymnasium v5 constructor argument is a kwarg (camelCase),
 * and `info` has Gymnasium's keys (reward_forward, reward_ctrl, reward_contact, reward_survive,
 * x_position, y_position, distance_from_origin, x_velocity, y_velocity).
 */
import { readFileSync } from 'node:fs';
import type { Info } from '../core.ts';
import { checkKwargs, float32Box, kwargBoolean, kwargNumber } from '../classic-control/checks.ts';
import type { Float32Box } from '../classic-control/checks.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import { kwargRange, MujocoEnv } from './mujoco-env.ts';
import type { MujocoStepOutcome } from './mujoco-env.ts';

export interface AntKwargs {
  frameSkip?: number;
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  contactCostWeight?: number;
  healthyReward?: number;
  /** Body (index or name) whose x-y displacement is the forward velocity. Default 1 (the torso). */
  mainBody?: number | string;
  terminateWhenUnhealthy?: boolean;
  healthyZRange?: [number, number];
  contactForceRange?: [number, number];
  resetNoiseScale?: number;
  excludeCurrentPositionsFromObservation?: boolean;
  includeCfrcExtInObservation?: boolean;
  renderMode?: null;
}

const NAME = 'AntEnv';
const KWARGS = [
  'frameSkip', 'forwardRewardWeight', 'ctrlCostWeight', 'contactCostWeight', 'healthyReward', 'mainBody', 'terminateWhenUnhealthy',
  'healthyZRange', 'contactForceRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'includeCfrcExtInObservation', 'renderMode',
] as const;
const XML = readFileSync(new URL('./assets/ant.xml', import.meta.url), 'utf8');

export class AntEnv extends MujocoEnv {
  readonly observationSpace: Float32Box;
  private readonly forwardRewardWeight: number;
  private readonly ctrlCostWeight: number;
  private readonly contactCostWeight: number;
  private readonly healthyRewardWeight: number;
  private readonly mainBody: number;
  private readonly terminateWhenUnhealthy: boolean;
  private readonly healthyZRange: [number, number];
  private readonly contactForceRange: [number, number];
  private readonly resetNoiseScale: number;
  private readonly excludePositions: boolean;
  private readonly includeContactForces: boolean;
  private xBefore = 0;
  private yBefore = 0;

  constructor(kwargs: AntKwargs | Record<string, unknown> = {}) {
    const k = checkKwargs(NAME, kwargs, KWARGS);
    super(NAME, XML, kwargNumber(NAME, k, 'frameSkip', 5));
    this.forwardRewardWeight = kwargNumber(NAME, k, 'forwardRewardWeight', 1);
    this.ctrlCostWeight = kwargNumber(NAME, k, 'ctrlCostWeight', 0.5);
    this.contactCostWeight = kwargNumber(NAME, k, 'contactCostWeight', 5e-4);
    this.healthyRewardWeight = kwargNumber(NAME, k, 'healthyReward', 1.0);
    this.mainBody = this.bodyIndex(k.mainBody ?? 1);
    this.terminateWhenUnhealthy = kwargBoolean(NAME, k, 'terminateWhenUnhealthy', true);
    this.healthyZRange = kwargRange(NAME, k, 'healthyZRange', [0.2, 1.0]);
    this.contactForceRange = kwargRange(NAME, k, 'contactForceRange', [-1.0, 1.0]);
    this.resetNoiseScale = kwargNumber(NAME, k, 'resetNoiseScale', 0.1);
    this.excludePositions = kwargBoolean(NAME, k, 'excludeCurrentPositionsFromObservation', true);
    this.includeContactForces = kwargBoolean(NAME, k, 'includeCfrcExtInObservation', true);
    const size = this.model.nq + this.model.nv - (this.excludePositions ? 2 : 0) + (this.includeContactForces ? 6 * (this.model.nbody - 1) : 0);
    this.observationSpace = float32Box(-Infinity, Infinity, [size]);
  }

  /** Gymnasium's `data.body(main_body)`: a body index or a body name. */
  private bodyIndex(body: unknown): number {
    const index = typeof body === 'string' ? this.engine.mj_name2id(this.model, this.engine.mjtObj.mjOBJ_BODY.value, body) : body;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.model.nbody) {
      throw new PlasticdError('invalid_kwargs', `${NAME}: kwarg "mainBody" must be a body index in [0, ${this.model.nbody}) or a body name, got ${JSON.stringify(body)}`);
    }
    return index;
  }

  get isHealthy(): boolean {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    for (const v of qpos) if (!Number.isFinite(v)) return false;
    for (const v of qvel) if (!Number.isFinite(v)) return false;
    return this.healthyZRange[0] <= qpos[2]! && qpos[2]! <= this.healthyZRange[1];
  }

  /** contact_cost_weight · Σ clip(cfrc_ext, range)² over every body. */
  get contactCost(): number {
    const forces = this.data.cfrc_ext as Float64Array;
    const [lo, hi] = this.contactForceRange;
    let sum = 0;
    for (const f of forces) {
      const c = f < lo ? lo : f > hi ? hi : f;
      sum += c * c;
    }
    return this.contactCostWeight * sum;
  }

  protected override beforeSimulation(): void {
    this.xBefore = this.bodyPosition(this.mainBody, 0);
    this.yBefore = this.bodyPosition(this.mainBody, 1);
  }

  protected afterSimulation(): MujocoStepOutcome {
    const xVelocity = (this.bodyPosition(this.mainBody, 0) - this.xBefore) / this.dt;
    const yVelocity = (this.bodyPosition(this.mainBody, 1) - this.yBefore) / this.dt;
    const forwardReward = xVelocity * this.forwardRewardWeight;
    const healthy = this.isHealthy;
    const healthyReward = healthy ? this.healthyRewardWeight : 0;
    const ctrlCost = this.ctrlCostWeight * this.actionSquaredSum();
    const contactCost = this.contactCost;
    const info: Info = {
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
      reward_survive: healthyReward,
      ...this.positionInfo(),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
    };
    return { reward: forwardReward + healthyReward - (ctrlCost + contactCost), terminated: !healthy && this.terminateWhenUnhealthy, info };
  }

  protected observe(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const out = new Float32Array(this.observationSpace.shape[0]!);
    let j = 0;
    for (let i = this.excludePositions ? 2 : 0; i < qpos.length; i++) out[j++] = qpos[i]!;
    for (let i = 0; i < qvel.length; i++) out[j++] = qvel[i]!;
    if (this.includeContactForces) {
      const forces = this.data.cfrc_ext as Float64Array;
      const [lo, hi] = this.contactForceRange;
      for (let i = 6; i < forces.length; i++) {
        const f = forces[i]!;
        out[j++] = f < lo ? lo : f > hi ? hi : f;
      }
    }
    return out;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale);
  }

  protected override resetInfo(): Info {
    return this.positionInfo();
  }

  private positionInfo(): Info {
    const qpos = this.data.qpos as Float64Array;
    return { x_position: qpos[0], y_position: qpos[1], distance_from_origin: Math.hypot(qpos[0]!, qpos[1]!) };
  }
}
