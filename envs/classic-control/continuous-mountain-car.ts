/**
 * MountainCarContinuous-v0: the mountain car with a continuous force, ported statement for statement
 * from Gymnasium 1.x `gymnasium/envs/classic_control/continuous_mountain_car.py`: goal at 0.45,
 * power 0.0015, reward 100 at the goal minus 0.1 × (unclipped action)², and the state stored as
 * float32 after every step. numpy 2's promotion rules (NEP 50) decide which operations of a step run
 * in float32: they are followed exactly, with a Float32Array or number[] action behaving as a
 * float32 ndarray (the action space's dtype) and a Float64Array as a float64 ndarray. math.cos and
 * math.pow are the C library's (src/util/libm.ts).
 * Deviation: gravity (a literal 0.0025 in Gymnasium) is a settable parameter.
 */
import { libm } from '../../src/util/libm.ts';
import { BaseEnv } from '../core.ts';
import type { PhysicalEnv, ResetArgs, ResetResult, StepResult } from '../core.ts';
import { maybeParseResetBounds } from './reset-bounds.ts';
import { applySnapshot, checkKwargs, checkPhysics, checkState, float32Box, invalidAction, kwargNumber, resetNeeded, takeSnapshot } from './checks.ts';
import type { ClassicEnvSnapshot, Float32Box, PhysicsConstraint } from './checks.ts';

export interface ContinuousMountainCarKwargs {
  /** Velocity the car must have (at least) at the goal. Default 0. */
  goalVelocity?: number;
  renderMode?: null;
}

export interface ContinuousMountainCarSnapshot extends ClassicEnvSnapshot {
  /** Whether the state is float32 (after a step) rather than float64 (after reset or a set). */
  stateIsFloat32: boolean;
}

export type ContinuousAction = Float32Array | Float64Array | number[];

const NAME = 'ContinuousMountainCarEnv';
const KWARGS = ['goalVelocity', 'renderMode'] as const;
const STATE_NAMES = ['position', 'velocity'] as const;
const PHYSICS: Readonly<Record<string, PhysicsConstraint>> = { power: 'finite', gravity: 'finite' };
const f32 = Math.fround;
/** numpy scalar kinds, ordered so that the kind of `x op y` is the larger of the two. */
const PY = 0;
const F32 = 1;
const F64 = 2;

export class ContinuousMountainCarEnv extends BaseEnv<Float32Array, ContinuousAction> implements PhysicalEnv {
  readonly minAction = -1.0;
  readonly maxAction = 1.0;
  readonly minPosition = -1.2;
  readonly maxPosition = 0.6;
  readonly maxSpeed = 0.07;
  readonly goalPosition = 0.45; // was 0.5 in gymnasium, 0.45 in Arnaud de Broissia's version
  readonly goalVelocity: number;
  readonly observationSpace: Float32Box;
  readonly actionSpace: Float32Box;

  private power = 0.0015;
  private gravity = 0.0025;
  private position = 0;
  private velocity = 0;
  /** Gymnasium stores np.float32 state after a step; reset leaves float64. */
  private stateIsFloat32 = false;
  private hasState = false;

  constructor(kwargs: ContinuousMountainCarKwargs | Record<string, unknown> = {}) {
    super();
    const k = checkKwargs(NAME, kwargs, KWARGS);
    this.goalVelocity = kwargNumber(NAME, k, 'goalVelocity', 0);
    this.actionSpace = float32Box(this.minAction, this.maxAction, [1]);
    this.observationSpace = float32Box([this.minPosition, -this.maxSpeed], [this.maxPosition, this.maxSpeed]);
  }

  step(action: ContinuousAction): StepResult<Float32Array> {
    // Out-of-range forces are valid (clipped below, penalised unclipped); only malformed input is not.
    if (action === null || typeof action !== 'object' || action.length !== 1 || typeof action[0] !== 'number' || Number.isNaN(action[0])) {
      throw invalidAction(NAME, action, this.actionSpace);
    }
    if (!this.hasState) throw resetNeeded(NAME);
    // numpy 2 (NEP 50) kinds: a Python float is "weak" and takes the other operand's dtype, so
    // np.float32 (op) Python float runs in float32; np.float32 (op) np.float64 runs in float64.
    const actionKind = action instanceof Float64Array ? F64 : F32;
    const a = actionKind === F32 ? f32(action[0]) : action[0];
    const stateKind = this.stateIsFloat32 ? F32 : F64;
    let position = this.position;
    let velocity = this.velocity;

    // force = min(max(action[0], min_action), max_action): a clipped force is a Python float.
    // (+-1 are exact in float32, so the comparison dtype does not matter here.)
    let force = a;
    let forceKind = actionKind;
    if (this.minAction > force) {
      force = this.minAction;
      forceKind = PY;
    }
    if (this.maxAction < force) {
      force = this.maxAction;
      forceKind = PY;
    }
    // velocity += force * self.power - 0.0025 * math.cos(3 * position)
    const slope = this.gravity * libm.cos(stateKind === F32 ? f32(3 * position) : 3 * position); // a Python float
    const push = forceKind === F32 ? f32(force * f32(this.power)) : force * this.power;
    const delta = forceKind === F32 ? f32(push - f32(slope)) : push - slope;
    let velocityKind = stateKind > forceKind ? stateKind : forceKind;
    velocity = velocityKind === F32 ? f32(velocity + f32(delta)) : velocity + delta;
    // Comparisons of an np.float32 with a Python float happen in float32.
    if (velocity > (velocityKind === F32 ? f32(this.maxSpeed) : this.maxSpeed)) {
      velocity = this.maxSpeed;
      velocityKind = PY;
    }
    if (velocity < (velocityKind === F32 ? f32(-this.maxSpeed) : -this.maxSpeed)) {
      velocity = -this.maxSpeed;
      velocityKind = PY;
    }
    let positionKind = stateKind > velocityKind ? stateKind : velocityKind;
    position = positionKind === F32 ? f32(position + f32(velocity)) : position + velocity;
    if (position > (positionKind === F32 ? f32(this.maxPosition) : this.maxPosition)) {
      position = this.maxPosition;
      positionKind = PY;
    }
    if (position < (positionKind === F32 ? f32(this.minPosition) : this.minPosition)) {
      position = this.minPosition;
      positionKind = PY;
    }
    if (position === (positionKind === F32 ? f32(this.minPosition) : this.minPosition) && velocity < 0) {
      velocity = 0;
      velocityKind = PY;
    }
    const terminated =
      position >= (positionKind === F32 ? f32(this.goalPosition) : this.goalPosition) &&
      velocity >= (velocityKind === F32 ? f32(this.goalVelocity) : this.goalVelocity);
    const reward = (terminated ? 100.0 : 0) - libm.pow(a, 2) * 0.1;

    this.position = f32(position);
    this.velocity = f32(velocity);
    this.stateIsFloat32 = true;
    const observation = new Float32Array(2);
    observation[0] = position;
    observation[1] = velocity;
    return { observation, reward, terminated, truncated: false, info: {} };
  }

  /** Position uniform in [low, high), default (-0.6, -0.4); velocity 0; float64 state as Gymnasium. */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    const [low, high] = maybeParseResetBounds(args?.options, -0.6, -0.4);
    this.position = this.npRandom.uniform(low, high);
    this.velocity = 0;
    this.stateIsFloat32 = false;
    this.hasState = true;
    return { observation: Float32Array.of(this.position, this.velocity), info: {} };
  }

  /** `[position, velocity]`. Setting it gives a float64 state, like assigning an np.float64 array. */
  get state(): number[] {
    if (!this.hasState) throw resetNeeded(NAME);
    return [this.position, this.velocity];
  }

  set state(value: number[]) {
    const v = checkState(NAME, value, STATE_NAMES);
    this.position = v[0]!;
    this.velocity = v[1]!;
    this.stateIsFloat32 = false;
    this.hasState = true;
  }

  get physics(): Record<string, number> {
    return { power: this.power, gravity: this.gravity };
  }

  setPhysics(name: string, value: number): void {
    const v = checkPhysics(NAME, name, value, PHYSICS);
    if (name === 'power') this.power = v;
    else this.gravity = v;
  }

  envState(): ContinuousMountainCarSnapshot {
    return { ...takeSnapshot(NAME, this, this.hasState ? this.state : null), stateIsFloat32: this.stateIsFloat32 };
  }

  restoreEnvState(snapshot: unknown): void {
    const s = applySnapshot(NAME, this, snapshot, STATE_NAMES, Object.keys(PHYSICS)) as ContinuousMountainCarSnapshot;
    if (s.state === null) this.hasState = false;
    else this.state = s.state;
    this.stateIsFloat32 = s.stateIsFloat32 === true;
  }
}
