/**
 * Argument checks shared by the classic-control envs: constructor kwargs, physics parameters,
 * states set from outside, snapshots to restore, and actions. Each failure is a PlasticdError that
 * names what was wrong and what is accepted. Nothing here runs on the step hot path except the
 * (cold) error constructors.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { Box } from '../spaces.ts';
import type { Space } from '../spaces.ts';
import { Rng } from '../../src/util/rng.ts';
import type { RngState } from '../../src/util/rng.ts';

/** A float32 Box typed as the space of the Float32Array values it holds. */
export type Float32Box = Box & Space<Float32Array>;

export function float32Box(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]): Float32Box {
  return new Box(low, high, shape, 'float32') as Float32Box;
}

/** Throws on keys outside `allowed`; returns the kwargs as a plain record ({} when absent). */
export function checkKwargs(envName: string, kwargs: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (kwargs === undefined || kwargs === null) return {};
  if (typeof kwargs !== 'object' || Array.isArray(kwargs)) {
    throw new PlasticdError('invalid_kwargs', `${envName}: kwargs must be an object, got ${describe(kwargs)}`);
  }
  const record = kwargs as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new PlasticdError(
      'invalid_kwargs',
      `${envName}: unknown kwarg${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; valid kwargs: ${allowed.join(', ')}`,
    );
  }
  // Gymnasium's render_mode: plasticd never renders, so only "no rendering" is accepted.
  if (record.renderMode !== undefined && record.renderMode !== null) {
    throw new PlasticdError('invalid_kwargs', `${envName}: rendering is not supported; renderMode must be null or absent, got ${describe(record.renderMode)}`);
  }
  return record;
}

export function kwargBoolean(envName: string, kwargs: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = kwargs[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new PlasticdError('invalid_kwargs', `${envName}: kwarg "${key}" must be true or false, got ${describe(value)}`);
  return value;
}

export function kwargNumber(envName: string, kwargs: Record<string, unknown>, key: string, fallback: number): number {
  const value = kwargs[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PlasticdError('invalid_kwargs', `${envName}: kwarg "${key}" must be a finite number, got ${describe(value)}`);
  }
  return value;
}

export function kwargChoice<T extends string>(envName: string, kwargs: Record<string, unknown>, key: string, choices: readonly T[], fallback: T): T {
  const value = kwargs[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new PlasticdError('invalid_kwargs', `${envName}: kwarg "${key}" must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** How a physical parameter may be set: any finite number, >= 0, or > 0. */
export type PhysicsConstraint = 'finite' | 'nonnegative' | 'positive';

export function checkPhysics(envName: string, name: string, value: unknown, constraints: Readonly<Record<string, PhysicsConstraint>>): number {
  const constraint = Object.hasOwn(constraints, name) ? constraints[name] : undefined;
  if (constraint === undefined) {
    throw new PlasticdError('unknown_physics_parameter', `${envName} has no physical parameter "${name}"; valid ones: ${Object.keys(constraints).join(', ')}`);
  }
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (constraint === 'finite' || (constraint === 'nonnegative' ? value >= 0 : value > 0));
  if (!ok) {
    const expected = constraint === 'finite' ? 'a finite number' : constraint === 'nonnegative' ? 'a finite number >= 0' : 'a finite number > 0';
    throw new PlasticdError('invalid_physics_value', `${envName}: physical parameter "${name}" must be ${expected}, got ${describe(value)}`);
  }
  return value as number;
}

/** Validates a state set from outside: `names.length` finite numbers. */
export function checkState(envName: string, value: unknown, names: readonly string[]): ArrayLike<number> {
  const ok =
    (Array.isArray(value) || ArrayBuffer.isView(value)) &&
    (value as ArrayLike<unknown>).length === names.length &&
    Array.prototype.every.call(value, (v: unknown) => typeof v === 'number' && Number.isFinite(v));
  if (!ok) {
    throw new PlasticdError('invalid_state', `${envName}: state must be ${names.length} finite numbers [${names.join(', ')}], got ${describe(value)}`);
  }
  return value as ArrayLike<number>;
}

export function resetNeeded(envName: string): PlasticdError {
  return new PlasticdError('reset_needed', `${envName}: call reset() before step() or reading the state`);
}

export function invalidAction(envName: string, action: unknown, space: Space<unknown>): PlasticdError {
  return new PlasticdError('invalid_action', `${envName}: invalid action ${describe(action)}; expected an element of the action space ${String(space)}`);
}

/** The common part of every classic env's snapshot. */
export interface ClassicEnvSnapshot {
  env: string;
  /** Physical state in Gymnasium's order, or null before the first reset. */
  state: number[] | null;
  physics: Record<string, number>;
  rng: RngState;
  npRandomSeed: number;
}

/** What a classic env exposes for snapshots (BaseEnv's RNG plus PhysicalEnv's parameters). */
interface SnapshotTarget {
  npRandom: Rng;
  npRandomSeed: number;
  readonly physics: Record<string, number>;
  setPhysics(name: string, value: number): void;
}

/** The common part of `envState()`: physics, RNG and seed, plus the state (null before reset). */
export function takeSnapshot(envName: string, env: SnapshotTarget, state: number[] | null): ClassicEnvSnapshot {
  return { env: envName, state, physics: env.physics, rng: env.npRandom.state(), npRandomSeed: env.npRandomSeed };
}

/**
 * The common part of `restoreEnvState()`: checks the snapshot, puts back physics, RNG and seed, and
 * returns it so the env can restore its state and own extras.
 */
export function applySnapshot(envName: string, env: SnapshotTarget, snapshot: unknown, stateNames: readonly string[], physicsNames: readonly string[]): ClassicEnvSnapshot {
  const s = checkSnapshot(envName, snapshot, stateNames, physicsNames);
  for (const name of physicsNames) env.setPhysics(name, s.physics[name]!);
  env.npRandom = Rng.fromState(s.rng);
  env.npRandomSeed = s.npRandomSeed;
  return s;
}

/** Checks a snapshot's common fields against the env restoring it. */
function checkSnapshot(envName: string, snapshot: unknown, stateNames: readonly string[], physicsNames: readonly string[]): ClassicEnvSnapshot {
  const s = snapshot as Partial<ClassicEnvSnapshot> | null;
  const fail = (why: string): never => {
    throw new PlasticdError('env_state_mismatch', `${envName}: cannot restore env state: ${why}`);
  };
  if (typeof s !== 'object' || s === null) fail(`expected an object from envState(), got ${describe(snapshot)}`);
  if (s!.env !== envName) fail(`it was taken from ${describe(s!.env)}`);
  if (s!.state !== null) checkState(envName, s!.state, stateNames);
  const physics = s!.physics;
  if (typeof physics !== 'object' || physics === null) fail('physics is missing');
  for (const name of physicsNames) {
    if (typeof physics![name] !== 'number') fail(`physics.${name} is missing`);
  }
  const rng = s!.rng;
  if (typeof rng !== 'object' || rng === null || !Array.isArray(rng.s) || rng.s.length !== 4) fail('rng state is missing');
  if (typeof s!.npRandomSeed !== 'number') fail('npRandomSeed is missing');
  return s as ClassicEnvSnapshot;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `"${x}"`;
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  if (ArrayBuffer.isView(x)) return `${x.constructor.name} [${Array.from(x as unknown as ArrayLike<number>).join(', ')}]`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
