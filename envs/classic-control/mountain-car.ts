/**
 * MountainCar-v0: an underpowered car in a valley that must rock back and forth to reach the flag,
 * with three discrete pushes. Ported statement for statement from Gymnasium 1.x
 * `gymnasium/envs/classic_control/mountain_car.py` (Moore 1990): float64 state, velocity updated
 * first and clipped, then position (semi-implicit Euler), an inelastic left wall, termination when
 * position >= 0.5 and velocity >= goal velocity, reward -1 per step, float32 observations.
 */
import { libm } from '../../src/util/libm.ts';
import { BaseEnv } from '../core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { Discrete } from '../spaces.ts';
import { maybeParseResetBounds } from './reset-bounds.ts';
import { applySnapshot, checkKwargs, checkPhysics, checkState, float32Box, invalidAction, kwargNumber, resetNeeded, takeSnapshot } from './checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from './checks.ts';

export interface MountainCarKwargs {
  /** Velocity the car must have (at least) at the goal. Default 0. */
  goalVelocity?: number;
  renderMode?: null;
}

const NAME = 'MountainCarEnv';
const KWARGS = ['goalVelocity', 'renderMode'] as const;
const STATE_NAMES = ['position', 'velocity'] as const;
const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = { force: 'finite', gravity: 'finite' };

export class MountainCarEnv extends BaseEnv<Float32Array, number> implements PhysicalEnv {
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.5;
  readonly goalVelocity: number;
  readonly observationSpace: Float32Box;
  readonly actionSpace = new Discrete(3);

  private force = 0.001;
  private gravity = 0.0025;
  private position = 0;
  private velocity = 0;
  private hasState = false;

  constructor(kwargs: MountainCarKwargs | Record<string, unknown> = {}) {
    super();
    const k = checkKwargs(NAME, kwargs, KWARGS);
    this.goalVelocity = kwargNumber(NAME, k, 'goalVelocity', 0);
    this.observationSpace = float32Box([this.minPosition, -this.maxSpeed], [this.maxPosition, this.maxSpeed]);
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1 && action !== 2) throw invalidAction(NAME, action, this.actionSpace);
    if (!this.hasState) throw resetNeeded(NAME);
    let position = this.position;
    let velocity = this.velocity;
    velocity += (action - 1) * this.force + libm.cos(3 * position) * -this.gravity;
    // np.clip(velocity, -max_speed, max_speed)
    velocity = velocity < -this.maxSpeed ? -this.maxSpeed : velocity > this.maxSpeed ? this.maxSpeed : velocity;
    position += velocity;
    position = position < this.minPosition ? this.minPosition : position > this.maxPosition ? this.maxPosition : position;
    if (position === this.minPosition && velocity < 0) velocity = 0;
    const terminated = position >= this.goalPosition && velocity >= this.goalVelocity;
    this.position = position;
    this.velocity = velocity;
    const observation = new Float32Array(2);
    observation[0] = position;
    observation[1] = velocity;
    return { observation, reward: -1.0, terminated, truncated: false, info: {} };
  }

  /** Position uniform in [low, high), default (-0.6, -0.4); velocity 0. */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    const [low, high] = maybeParseResetBounds(args?.options, -0.6, -0.4);
    this.position = this.npRandom.uniform(low, high);
    this.velocity = 0;
    this.hasState = true;
    return { observation: Float32Array.of(this.position, this.velocity), info: {} };
  }

  /** `[position, velocity]`. */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(NAME);
    return [this.position, this.velocity];
  }

  set state(value: number[]) {
    const v = checkState(NAME, value, STATE_NAMES);
    this.position = v[0]!;
    this.velocity = v[1]!;
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return { force: this.force, gravity: this.gravity };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(NAME, name, value, PHYSICS);
    if (name === 'force') this.force = v;
    else this.gravity = v;
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
