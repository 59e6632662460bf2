/**
 * The environment contract, faithful to Gymnasium 1.x (gymnasium/core.py): `reset({seed, options})`
 * returns `{observation, info}`, `step(action)` returns the five-tuple as an object with
 * `terminated` (the MDP ended: stop bootstrapping) and `truncated` (cut from outside, e.g. a time
 * limit). A `Wrapper` forwards everything to the env it wraps and is how behaviour is added
 * (time limits, normalisation, nonstationarity); `unwrapped` is always the innermost env.
 */
import { Rng } from '../src/util/rng.ts';
import { PlasticdError } from '../src/util/errors.ts';
import type { Space } from './spaces.ts';

export type Info = Record<string, unknown>;

export interface ResetArgs {
  /** Re-seeds the env's RNG when given (Gymnasium: seed once, on the first reset). */
  seed?: number;
  /** Env-specific reset options, e.g. `{low, high}` for CartPole's initial-state range. */
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  observation: O;
  info: Info;
}

export interface StepResult<O> {
  observation: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** What the registry knows about an id (gymnasium.envs.registration.EnvSpec). */
export interface EnvSpec {
  id: string;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** Keyword arguments the env was built with. */
  kwargs: Record<string, unknown>;
  /** Whether `make` wraps the env in `OrderEnforcing` (default true). */
  orderEnforce?: boolean;
  /** Short human description, shown when listing ids. */
  description?: string;
}

export interface Env<O = unknown, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  spec: EnvSpec | null;
  /** The innermost env, below every wrapper. */
  readonly unwrapped: Env<unknown, unknown>;
  reset(args?: ResetArgs): ResetResult<O>;
  step(action: A): StepResult<O>;
  close(): void;
}

/** An env whose dynamics expose a physical state that can be read and set (classic control). */
export interface PhysicalEnv {
  /** The state in Gymnasium's order, as a plain array of float64 numbers. */
  state: number[];
  /** Names of the physical parameters a drifting-physics wrapper may change, with their current values. */
  readonly physics: Record<string, number>;
  setPhysics(name: string, value: number): void;
}

export function isPhysicalEnv(env: unknown): env is PhysicalEnv {
  return typeof env === 'object' && env !== null && 'physics' in env && typeof (env as PhysicalEnv).setPhysics === 'function';
}

/**
 * Base class for concrete envs. `reset` implementations call `this.seedOnReset(args)` first, as
 * Gymnasium envs call `super().reset(seed=seed)`: a given seed re-creates the RNG; without one the
 * existing RNG is kept, and on the very first reset it is seeded from OS entropy.
 */
export abstract class BaseEnv<O, A> implements Env<O, A> {
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;
  spec: EnvSpec | null = null;
  /** The seed of the current RNG, or -1 when it was seeded from entropy. */
  npRandomSeed = -1;
  private rngInstance: Rng | null = null;

  get unwrapped(): Env<unknown, unknown> {
    return this as unknown as Env<unknown, unknown>;
  }

  /** The env's RNG (Gymnasium's `np_random`). */
  get npRandom(): Rng {
    if (this.rngInstance === null) this.rngInstance = Rng.fromEntropy();
    return this.rngInstance;
  }

  set npRandom(rng: Rng) {
    this.rngInstance = rng;
    this.npRandomSeed = -1;
  }

  protected seedOnReset(args: ResetArgs | undefined): void {
    const seed = args?.seed;
    if (seed === undefined || seed === null) return;
    if (!Number.isInteger(seed) || seed < 0) {
      throw new PlasticdError('invalid_seed', `seed must be a non-negative integer, got ${String(seed)}`);
    }
    this.rngInstance = new Rng(seed);
    this.npRandomSeed = seed;
  }

  abstract reset(args?: ResetArgs): ResetResult<O>;
  abstract step(action: A): StepResult<O>;

  close(): void {}

  toString(): string {
    return `<${this.constructor.name}${this.spec ? `<${this.spec.id}>` : ''}>`;
  }
}

/**
 * Forwards every call to `env`. Subclasses override what they change; spaces default to the inner
 * env's and may be replaced in the constructor.
 */
export class Wrapper<O = unknown, A = unknown, InnerO = O, InnerA = A> implements Env<O, A> {
  observationSpace: Space<O>;
  actionSpace: Space<A>;
  private ownSpec: EnvSpec | null | undefined = undefined;

  constructor(readonly env: Env<InnerO, InnerA>) {
    this.observationSpace = env.observationSpace as unknown as Space<O>;
    this.actionSpace = env.actionSpace as unknown as Space<A>;
  }

  get spec(): EnvSpec | null {
    return this.ownSpec === undefined ? this.env.spec : this.ownSpec;
  }

  set spec(spec: EnvSpec | null) {
    this.ownSpec = spec;
  }

  get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  reset(args?: ResetArgs): ResetResult<O> {
    return this.env.reset(args) as unknown as ResetResult<O>;
  }

  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as InnerA) as unknown as StepResult<O>;
  }

  close(): void {
    this.env.close();
  }

  toString(): string {
    return `<${this.constructor.name}${String(this.env)}>`;
  }
}

/** Walks the wrapper chain from the outside in and returns the first wrapper of the given class. */
export function findWrapper<T>(env: Env<unknown, unknown>, cls: abstract new (...args: never[]) => T): T | null {
  let current: unknown = env;
  while (current) {
    if (current instanceof cls) return current as T;
    current = current instanceof Wrapper ? current.env : null;
  }
  return null;
}

/** All wrappers and the base env, outermost first. */
export function wrapperChain(env: Env<unknown, unknown>): Env<unknown, unknown>[] {
  const chain: Env<unknown, unknown>[] = [];
  let current: Env<unknown, unknown> | null = env;
  while (current) {
    chain.push(current);
    current = current instanceof Wrapper ? (current.env as Env<unknown, unknown>) : null;
  }
  return chain;
}
