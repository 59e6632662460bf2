/**
 * SyncVectorEnv (gymnasium/vector/sync_vector_env.py, v1.x): n envs stepped in one loop, with
 * Gymnasium's default NEXT_STEP autoreset: after sub-env i ends, the next `step()` ignores action
 * i, resets env i and reports its first observation with reward 0 and both flags false (learners
 * must not store that pseudo-transition). Batches are flat typed arrays: observations Float32Array
 * [n × obsSize], rewards Float64Array, terminated/truncated Uint8Array; infos are Gymnasium's
 * dict of per-env arrays with `_key` masks (numbers → Float64Array, anything else → plain array).
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { Env, Info } from '../core.ts';
import { Box, Discrete, MultiDiscrete } from '../spaces.ts';
import type { BoxValue } from '../spaces.ts';
import { captureEnvState, restoreEnvState } from '../stateful.ts';

export interface SyncVectorEnvOptions {
  /** Return copies of the batch arrays (default true); false returns the internal buffers, overwritten by the next call. */
  copy?: boolean;
}

export interface VectorResetArgs {
  /** A number seeds env i with seed + i; an array gives one seed (or undefined) per env. */
  seed?: number | Array<number | undefined>;
  options?: Record<string, unknown>;
}

/** Gymnasium's batched info: per key an array over envs, and `_key` a 0/1 mask of which envs set it. */
export type VectorInfo = Record<string, unknown>;

export interface VectorResetResult {
  observations: Float32Array;
  infos: VectorInfo;
}

export interface VectorStepResult {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: VectorInfo;
}

export class SyncVectorEnv {
  readonly envs: Env<any, any>[];
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Discrete | Box;
  readonly observationSpace: Box;
  readonly actionSpace: MultiDiscrete | Box;
  readonly copy: boolean;
  /** Length of one env's flattened observation. */
  readonly observationSize: number;
  private readonly actionSize: number;
  private readonly discreteActions: boolean;
  private readonly observations: Float32Array;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly autoresetEnvs: Uint8Array;
  /** One reusable action array per env for Box actions (allocation-free stepping). */
  private readonly actionBuffers: BoxValue[];

  constructor(envFns: Array<() => Env<any, any>>, options: SyncVectorEnvOptions = {}) {
    if (envFns.length === 0) throw new PlasticdError('invalid_argument', 'SyncVectorEnv needs at least one env factory');
    this.envs = envFns.map((fn) => fn());
    this.numEnvs = this.envs.length;
    this.copy = options.copy ?? true;
    const first = this.envs[0]!;
    const obsSpace = first.observationSpace;
    if (!(obsSpace instanceof Box)) throw new PlasticdError('unsupported_space', `SyncVectorEnv batches Box observations only, got ${String(obsSpace)}`);
    const actSpace = first.actionSpace;
    if (!(actSpace instanceof Discrete) && !(actSpace instanceof Box)) {
      throw new PlasticdError('unsupported_space', `SyncVectorEnv batches Discrete or Box actions only, got ${String(actSpace)}`);
    }
    for (const [i, env] of this.envs.entries()) {
      if (String(env.observationSpace) !== String(obsSpace) || String(env.actionSpace) !== String(actSpace)) {
        throw new PlasticdError(
          'space_mismatch',
          `sub-env ${i} has spaces ${String(env.observationSpace)} / ${String(env.actionSpace)}, but env 0 has ${String(obsSpace)} / ${String(actSpace)}; all must match to batch`,
        );
      }
    }
    this.singleObservationSpace = obsSpace;
    this.singleActionSpace = actSpace;
    this.observationSize = obsSpace.size;
    this.observationSpace = batchBox(obsSpace, this.numEnvs);
    if (actSpace instanceof Discrete) {
      this.actionSpace = new MultiDiscrete(new Array(this.numEnvs).fill(actSpace.n), new Array(this.numEnvs).fill(actSpace.start));
      this.actionSize = 1;
      this.discreteActions = true;
      this.actionBuffers = [];
    } else {
      this.actionSpace = batchBox(actSpace, this.numEnvs);
      this.actionSize = actSpace.size;
      this.discreteActions = false;
      this.actionBuffers = this.envs.map(() => actSpace.allocate());
    }
    this.observations = new Float32Array(this.numEnvs * this.observationSize);
    this.rewards = new Float64Array(this.numEnvs);
    this.terminated = new Uint8Array(this.numEnvs);
    this.truncated = new Uint8Array(this.numEnvs);
    this.autoresetEnvs = new Uint8Array(this.numEnvs);
  }

  reset(args: VectorResetArgs = {}): VectorResetResult {
    const { seed, options } = args;
    if (Array.isArray(seed) && seed.length !== this.numEnvs) {
      throw new PlasticdError('invalid_argument', `reset got ${seed.length} seeds for ${this.numEnvs} envs`);
    }
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.rewards.fill(0);
    this.autoresetEnvs.fill(0);
    const infos: VectorInfo = {};
    for (let i = 0; i < this.numEnvs; i++) {
      const envSeed = seed === undefined ? undefined : Array.isArray(seed) ? seed[i] : seed + i;
      const resetArgs: { seed?: number; options?: Record<string, unknown> } = {};
      if (envSeed !== undefined) resetArgs.seed = envSeed;
      if (options !== undefined) resetArgs.options = options;
      const { observation, info } = this.envs[i]!.reset(resetArgs);
      this.writeObservation(i, observation);
      addInfo(infos, info, i, this.numEnvs);
    }
    return { observations: this.copy ? this.observations.slice() : this.observations, infos };
  }

  /**
   * Steps every env. `actions` is one integer per env for Discrete actions, or for Box actions
   * either a flat array of n × actionSize numbers or an array of n per-env arrays.
   */
  step(actions: ArrayLike<number> | ArrayLike<ArrayLike<number>>): VectorStepResult {
    const n = this.numEnvs;
    if (actions.length !== n && actions.length !== n * this.actionSize) {
      throw new PlasticdError('invalid_action', `SyncVectorEnv.step got ${actions.length} action values for ${n} envs; expected an action per env in ${String(this.actionSpace)}`);
    }
    const discrete = this.discreteActions;
    const nested = !discrete && actions.length === n && typeof actions[0] !== 'number';
    let infos: VectorInfo | null = null;
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      let info: Info;
      if (this.autoresetEnvs[i] === 1) {
        const reset = env.reset();
        this.writeObservation(i, reset.observation);
        info = reset.info;
        this.rewards[i] = 0;
        this.terminated[i] = 0;
        this.truncated[i] = 0;
      } else {
        let action: unknown;
        if (discrete) action = actions[i];
        else {
          const buffer = this.actionBuffers[i]!;
          const size = this.actionSize;
          if (nested) buffer.set((actions as ArrayLike<ArrayLike<number>>)[i]!);
          else for (let k = 0; k < size; k++) buffer[k] = (actions as ArrayLike<number>)[i * size + k]!;
          action = buffer;
        }
        const result = env.step(action);
        this.writeObservation(i, result.observation);
        this.rewards[i] = result.reward;
        this.terminated[i] = result.terminated ? 1 : 0;
        this.truncated[i] = result.truncated ? 1 : 0;
        info = result.info;
      }
      this.autoresetEnvs[i] = this.terminated[i]! | this.truncated[i]!;
      for (const _ in info) {
        infos ??= {};
        addInfo(infos, info, i, n);
        break;
      }
    }
    if (this.copy) {
      return {
        observations: this.observations.slice(),
        rewards: this.rewards.slice(),
        terminated: this.terminated.slice(),
        truncated: this.truncated.slice(),
        infos: infos ?? {},
      };
    }
    return { observations: this.observations, rewards: this.rewards, terminated: this.terminated, truncated: this.truncated, infos: infos ?? {} };
  }

  /** Which envs will be reset (not stepped) by the next `step()`. */
  get pendingAutoreset(): Uint8Array {
    return this.autoresetEnvs.slice();
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  /** Snapshot of every sub-env stack plus the autoreset flags and last batch. */
  envState(): unknown {
    return {
      autoreset: Array.from(this.autoresetEnvs),
      observations: Array.from(this.observations),
      envs: this.envs.map((env) => captureEnvState(env)),
    };
  }

  restoreEnvState(state: unknown): void {
    const s = state as { autoreset?: number[]; observations?: number[]; envs?: unknown[][] };
    if (!s || !Array.isArray(s.autoreset) || !Array.isArray(s.envs) || s.envs.length !== this.numEnvs || !Array.isArray(s.observations)) {
      throw new PlasticdError('env_state_mismatch', `SyncVectorEnv state must hold ${this.numEnvs} sub-env states`);
    }
    this.autoresetEnvs.set(s.autoreset);
    this.observations.set(s.observations);
    s.envs.forEach((envState, i) => restoreEnvState(this.envs[i]!, envState));
  }

  toString(): string {
    const id = this.envs[0]!.spec?.id;
    return `SyncVectorEnv(${id ? `${id}, ` : ''}num_envs=${this.numEnvs})`;
  }

  private writeObservation(i: number, observation: unknown): void {
    const obs = observation as ArrayLike<number>;
    const size = this.observationSize;
    if (obs.length !== size) {
      throw new PlasticdError('invalid_observation', `sub-env ${i} returned an observation of length ${obs.length}, expected ${size}`);
    }
    const offset = i * size;
    const out = this.observations;
    for (let k = 0; k < size; k++) out[offset + k] = obs[k]!;
  }
}

/** A Box with a leading dimension of n (gymnasium.vector.utils.batch_space). */
export function batchBox(space: Box, n: number): Box {
  const low = new Float64Array(n * space.size);
  const high = new Float64Array(n * space.size);
  for (let i = 0; i < n; i++) {
    low.set(space.low, i * space.size);
    high.set(space.high, i * space.size);
  }
  return new Box(low, high, [n, ...space.shape], space.dtype);
}

/** Gymnasium's `VectorEnv._add_info`: nested objects recurse, every key gets a `_key` mask. */
function addInfo(infos: VectorInfo, info: Info, envIndex: number, numEnvs: number): void {
  for (const key in info) {
    const value = info[key];
    if (isPlainObject(value)) {
      const nested = (isPlainObject(infos[key]) ? infos[key] : {}) as VectorInfo;
      addInfo(nested, value as Info, envIndex, numEnvs);
      infos[key] = nested;
    } else {
      let array = infos[key] as Float64Array | unknown[] | undefined;
      if (array === undefined) array = typeof value === 'number' ? new Float64Array(numEnvs) : new Array<unknown>(numEnvs).fill(null);
      else if (array instanceof Float64Array && typeof value !== 'number') array = Array.from(array as Float64Array, (v) => v as unknown);
      array[envIndex] = value as number;
      infos[key] = array;
    }
    const maskKey = `_${key}`;
    let mask = infos[maskKey] as Uint8Array | undefined;
    if (!(mask instanceof Uint8Array)) {
      mask = new Uint8Array(numEnvs);
      infos[maskKey] = mask;
    }
    mask[envIndex] = 1;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

