/**
 * HalfCheetah-v5: a planar two-legged runner rewarded for speed along +x, after Gymnasium 1.x
 * `gymnasium/envs/mujoco/half_cheetah_v5.py` (Wawrzyński 2009): 6 motors, frame skip 5 (dt 0.05 s),
 * reward = x velocity of the root − 0.1·Σa², never terminates. Observation (17): qpos without the
 * root's x (8) and qvel (9). `info` has Gymnasium's keys (x_position, x_velocity, reward_forward,
 * reward_ctrl).
 */
import { readFileSync } from 'node:fs';
import type { Info } from '../core.ts';
import { checkKwargs, float32Box, kwargBoolean, kwargNumber } from '../classic-control/checks.ts';
import type { Float32Box } from '../classic-control/checks.ts';
import { MujocoEnv } from './mujoco-env.ts';
import type { MujocoStepOutcome } from './mujoco-env.ts';

export interface HalfCheetahKwargs {
  frameSkip?: number;
  forwardRewardWeight?: number;
  ctrlCostWeight?: number;
  resetNoiseScale?: number;
  excludeCurrentPositionsFromObservation?: boolean;
  renderMode?: null;
}

const NAME = 'HalfCheetahEnv';
const KWARGS = ['frameSkip', 'forwardRewardWeight', 'ctrlCostWeight', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'renderMode'] as const;
const XML = readFileSync(new URL('./assets/half_cheetah.xml', import.meta.url), 'utf8');

export class HalfCheetahEnv extends MujocoEnv {
  readonly observationSpace: Float32Box;
  private readonly forwardRewardWeight: number;
  private readonly ctrlCostWeight: number;
  private readonly resetNoiseScale: number;
  private readonly excludePositions: boolean;
  private xBefore = 0;

  constructor(kwargs: HalfCheetahKwargs | Record<string, unknown> = {}) {
    const k = checkKwargs(NAME, kwargs, KWARGS);
    super(NAME, XML, kwargNumber(NAME, k, 'frameSkip', 5));
    this.forwardRewardWeight = kwargNumber(NAME, k, 'forwardRewardWeight', 1.0);
    this.ctrlCostWeight = kwargNumber(NAME, k, 'ctrlCostWeight', 0.1);
    this.resetNoiseScale = kwargNumber(NAME, k, 'resetNoiseScale', 0.1);
    this.excludePositions = kwargBoolean(NAME, k, 'excludeCurrentPositionsFromObservation', true);
    this.observationSpace = float32Box(-Infinity, Infinity, [this.model.nq + this.model.nv - (this.excludePositions ? 1 : 0)]);
  }

  protected override beforeSimulation(): void {
    this.xBefore = (this.data.qpos as Float64Array)[0]!;
  }

  protected afterSimulation(): MujocoStepOutcome {
    const xPosition = (this.data.qpos as Float64Array)[0]!;
    const xVelocity = (xPosition - this.xBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const ctrlCost = this.ctrlCostWeight * this.actionSquaredSum();
    const info: Info = { x_position: xPosition, x_velocity: xVelocity, reward_forward: forwardReward, reward_ctrl: -ctrlCost };
    return { reward: forwardReward - ctrlCost, terminated: false, info };
  }

  protected observe(): Float32Array {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const out = new Float32Array(this.observationSpace.shape[0]!);
    let j = 0;
    for (let i = this.excludePositions ? 1 : 0; i < qpos.length; i++) out[j++] = qpos[i]!;
    for (let i = 0; i < qvel.length; i++) out[j++] = qvel[i]!;
    return out;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale);
  }

  protected override resetInfo(): Info {
    return { x_position: (this.data.qpos as Float64Array)[0] };
  }
}
