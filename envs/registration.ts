/**
 * The env registry: `register` an id once, `make` it wrapped exactly like Gymnasium's
 * `gymnasium.make` (gymnasium/envs/registration.py): base env → OrderEnforcing → TimeLimit (from
 * the option, else the registration; -1 disables it) → additionalWrappers. Deviations: no
 * PassiveEnvChecker layer (OrderEnforcing validates every action instead; `checkEnv` is the
 * checker), and kwargs are one object rather than Python keyword arguments.
 */
import { PlasticdError } from '../src/util/errors.ts';
import type { Env, EnvSpec } from './core.ts';
import { OrderEnforcing } from './wrappers/order-enforcing.ts';
import { TimeLimit } from './wrappers/time-limit.ts';
import { SyncVectorEnv } from './vector/sync-vector-env.ts';
import type { SyncVectorEnvOptions } from './vector/sync-vector-env.ts';

export interface EnvRegistration {
  /** `[namespace/]Name[-vN]`, e.g. 'CartPole-v1', 'plasticd/DriftingCartPole-v1'. */
  id: string;
  /** Builds the bare env (or a pre-wrapped core) from the merged kwargs. */
  entryPoint: (kwargs: Record<string, unknown>) => Env<any, any>;
  /** TimeLimit applied by make(). */
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** Defaults, merged under make()'s kwargs. */
  kwargs?: Record<string, unknown>;
  /** Wrap in OrderEnforcing (default true). */
  orderEnforce?: boolean;
  /** Applied by make() OUTSIDE TimeLimit, innermost first (Gymnasium's additional_wrappers). Each gets the merged kwargs. */
  additionalWrappers?: Array<(env: Env<any, any>, kwargs: Record<string, unknown>) => Env<any, any>>;
  description?: string;
}

export interface MakeOptions {
  /** Overrides the registered limit; -1 disables TimeLimit. */
  maxEpisodeSteps?: number;
  /** Merged over the registered kwargs. */
  kwargs?: Record<string, unknown>;
}

const ID_PATTERN = /^(?:[\w:.-]+\/)?[\w:.-]+?(?:-v\d+)?$/;
const registry = new Map<string, EnvRegistration>();

export function register(registration: EnvRegistration): void {
  const { id } = registration;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new PlasticdError('invalid_env_id', `env id ${JSON.stringify(id)} is malformed; expected [namespace/]Name[-vN], e.g. "CartPole-v1"`);
  }
  if (registry.has(id)) throw new PlasticdError('duplicate_env_id', `an env is already registered as "${id}"; pick another id or version`);
  if (typeof registration.entryPoint !== 'function') throw new PlasticdError('invalid_registration', `registration of "${id}" needs an entryPoint function`);
  const steps = registration.maxEpisodeSteps;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) {
    throw new PlasticdError('invalid_registration', `registration of "${id}": maxEpisodeSteps must be a positive integer, got ${String(steps)}`);
  }
  registry.set(id, { ...registration, kwargs: { ...(registration.kwargs ?? {}) } });
}

/** Every registered id, sorted. */
export function registeredIds(): string[] {
  return [...registry.keys()].sort();
}

export function registrationOf(id: string): EnvRegistration | undefined {
  return registry.get(id);
}

/** Builds a registered env with Gymnasium's wrapper stack. */
export function make(id: string, options: MakeOptions = {}): Env<any, any> {
  const registration = registry.get(id);
  if (!registration) throw unknownIdError(id);
  const kwargs = { ...(registration.kwargs ?? {}), ...(options.kwargs ?? {}) };

  let env: Env<any, any>;
  try {
    env = registration.entryPoint(kwargs);
  } catch (error) {
    const err = error as { code?: unknown; message?: unknown };
    const code = typeof err?.code === 'string' ? err.code : 'invalid_env_kwargs';
    throw new PlasticdError(code, `could not make "${id}" with kwargs ${safeJson(kwargs)}: ${String(err?.message ?? error)}`, { id, kwargs, cause: error });
  }

  const requested = options.maxEpisodeSteps;
  if (requested !== undefined && requested !== -1 && (!Number.isInteger(requested) || requested < 1)) {
    throw new PlasticdError('invalid_argument', `make("${id}"): maxEpisodeSteps must be a positive integer or -1 (no limit), got ${String(requested)}`);
  }
  const limit = requested === -1 ? undefined : (requested ?? registration.maxEpisodeSteps);

  // The base env's spec is the minimal one (Gymnasium: no time limit, no order enforcing); each
  // wrapper below adds what it contributes, so the outermost spec reads as the made env.
  const baseSpec: EnvSpec = { id, kwargs, orderEnforce: false };
  if (registration.rewardThreshold !== undefined) baseSpec.rewardThreshold = registration.rewardThreshold;
  if (registration.description !== undefined) baseSpec.description = registration.description;
  env.unwrapped.spec = baseSpec;
  if (env !== env.unwrapped) env.spec = baseSpec;

  if (registration.orderEnforce !== false) env = new OrderEnforcing(env);
  if (limit !== undefined) env = new TimeLimit(env, limit);
  for (const wrap of registration.additionalWrappers ?? []) env = wrap(env, kwargs);
  return env;
}

/** `numEnvs` copies of `make(id, options)` stepped in lockstep with next-step autoreset. */
export function makeVec(id: string, numEnvs: number, options: MakeOptions & SyncVectorEnvOptions = {}): SyncVectorEnv {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new PlasticdError('invalid_argument', `makeVec("${id}"): numEnvs must be a positive integer, got ${String(numEnvs)}`);
  if (!registry.has(id)) throw unknownIdError(id);
  const { copy, ...makeOptions } = options;
  const fns = Array.from({ length: numEnvs }, () => () => make(id, makeOptions));
  return new SyncVectorEnv(fns, copy === undefined ? {} : { copy });
}

function unknownIdError(id: string): PlasticdError {
  const known = registeredIds();
  const parsed = parseId(String(id));
  const versions = known.filter((k) => {
    const other = parseId(k);
    return other.namespace === parsed.namespace && other.name === parsed.name;
  });
  let hint = '';
  if (versions.length > 0) hint = ` Registered versions of ${parsed.name}: ${versions.join(', ')}.`;
  else {
    const closest = closestId(String(id), known);
    if (closest) hint = ` Did you mean "${closest}"?`;
  }
  return new PlasticdError('unknown_env_id', `no env registered as "${String(id)}".${hint} Known ids: ${known.join(', ') || '(none)'}`, {
    id,
    known,
  });
}

function parseId(id: string): { namespace: string; name: string; version: string } {
  const slash = id.lastIndexOf('/');
  const namespace = slash >= 0 ? id.slice(0, slash) : '';
  const rest = slash >= 0 ? id.slice(slash + 1) : id;
  const match = /^(.*?)(?:-v(\d+))?$/.exec(rest);
  return { namespace, name: match?.[1] ?? rest, version: match?.[2] ?? '' };
}

function closestId(id: string, known: string[]): string | undefined {
  const target = id.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    // Prefer ids that contain the query (e.g. "cartpole" → "CartPole-v1"), then edit distance.
    const distance = lower.includes(target) || target.includes(lower) ? Math.abs(lower.length - target.length) * 0.1 : editDistance(target, lower);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(3, target.length / 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
