/**
 * Spec → the pieces of one run: the env stack (make + the spec's wrappers) or the supervised
 * stream, the agent (its hyperparameters, with the `networks` shorthand and regularizers folded
 * in; continuous-action PPO starts from CONTINUOUS_PPO_CONFIG) and the monitor watching the
 * agent's networks. Seeds are forked from `spec.seed` in a fixed order (env, agent, monitor,
 * stream), so the same spec always builds the same run and a checkpoint restores into a fresh build.
 */
import { make } from '../../envs/registration.ts';
import type { Env } from '../../envs/core.ts';
import { Box } from '../../envs/spaces.ts';
import { ClipAction, NormalizeObservation, NormalizeReward, RecordEpisodeStatistics, RescaleAction } from '../../envs/wrappers/index.ts';
import { makeStream } from '../../envs/streams/index.ts';
import type { Stream } from '../../envs/streams/stream.ts';
import '../../envs/index.ts';
import { MUJOCO_ENV_IDS, loadMujoco } from '../../envs/mujoco/index.ts';
import type { Agent, AgentHooks } from '../../agents/agent.ts';
import { DqnAgent } from '../../agents/dqn.ts';
import { CONTINUOUS_PPO_CONFIG, PpoAgent } from '../../agents/ppo.ts';
import { StreamAcAgent } from '../../agents/stream-ac.ts';
import { ContinualAgent } from '../../agents/continual.ts';
import { Monitor } from '../../monitoring/monitor.ts';
import type { AgentSpec, EnvBlock, NetworksBlock } from '../config/agent-spec.ts';
import type { RegularizerConfig } from '../nn/regularizers.ts';
import { PlasticdError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';

export interface RunSeeds {
  /** Seed of the env's first reset. */
  env: number;
  /** The agent's seed (its networks and exploration). */
  agent: number;
  /** The stream's seed, unless the spec's stream options give one. */
  stream: number;
}

export interface BuiltRun {
  env: Env<any, any> | null;
  stream: Stream | null;
  agent: Agent<any, any>;
  monitor: Monitor;
  seeds: RunSeeds;
}

export interface BuildRunOptions {
  /** The agent's hooks (the run loop wires them to the monitor). */
  hooks: AgentHooks;
  /** Seconds, for wall-time fields only (RecordEpisodeStatistics, WindowReport.durationSeconds). */
  clockSeconds?: () => number;
}

/** The seeds a spec's run uses, forked from `spec.seed`. */
export function deriveSeeds(seed: number): { seeds: RunSeeds; monitorRng: Rng } {
  const root = new Rng(seed);
  const env = root.fork().nextUint32();
  const agent = root.fork().nextUint32();
  const monitorRng = root.fork();
  const stream = root.fork().nextUint32();
  return { seeds: { env, agent, stream }, monitorRng };
}

/**
 * What must be loaded asynchronously before `buildRun` (which is synchronous) can build this spec:
 * the MuJoCo engine for a MuJoCo env. A no-op otherwise, and after the first call in a thread.
 */
export async function prepareRun(spec: unknown): Promise<void> {
  const id = (spec as { env?: { id?: unknown } | null } | null)?.env?.id;
  if (typeof id === 'string' && MUJOCO_ENV_IDS.has(id)) await loadMujoco();
}

export function buildRun(spec: AgentSpec, options: BuildRunOptions): BuiltRun {
  const { seeds, monitorRng } = deriveSeeds(spec.seed);
  const env = spec.env ? buildEnv(spec.env, options.clockSeconds) : null;
  const stream = spec.stream ? makeStream(spec.stream.id, { seed: seeds.stream, ...spec.stream.options }) : null;
  let agent: Agent<any, any>;
  try {
    agent = buildAgent(spec, env, stream, seeds.agent, options.hooks);
  } catch (error) {
    env?.close();
    throw error;
  }
  const monitor = new Monitor({ networks: agent.networks(), config: spec.monitor, rng: monitorRng, clock: options.clockSeconds });
  return { env, stream, agent, monitor, seeds };
}

/** make(id) with Gymnasium's stack, then the spec's wrappers, innermost first. */
export function buildEnv(block: EnvBlock, clockSeconds?: () => number): Env<any, any> {
  let env = make(block.id, { kwargs: block.kwargs, ...(block.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: block.maxEpisodeSteps } : {}) });
  for (const wrapper of block.wrappers) {
    switch (wrapper.kind) {
      case 'normalize-observation':
        env = new NormalizeObservation(env, wrapper.options);
        break;
      case 'normalize-reward':
        env = new NormalizeReward(env, wrapper.options);
        break;
      case 'clip-action':
        env = new ClipAction(env);
        break;
      case 'rescale-action':
        env = new RescaleAction(env, wrapper.options.min, wrapper.options.max);
        break;
      case 'record-episode-statistics':
        env = new RecordEpisodeStatistics(env, { ...wrapper.options, ...(clockSeconds ? { clock: clockSeconds } : {}) });
        break;
    }
  }
  return env;
}

function buildAgent(spec: AgentSpec, env: Env<any, any> | null, stream: Stream | null, seed: number, hooks: AgentHooks): Agent<any, any> {
  const { kind, ...config } = spec.agent;
  const networks = spec.networks;
  const engine = networks.engine;
  const regularizers = activeRegularizers(spec);
  if (kind === 'continual') {
    if (!stream) throw new PlasticdError('invalid_spec', "the 'continual' agent needs a stream");
    const merged = mergeShorthand(kind, config, networks, { hidden: ['hiddenUnits'], activation: 'activation', init: 'hiddenInit' });
    return new ContinualAgent(
      {
        ...merged,
        task: stream.kind,
        inputSize: stream.inputSize,
        outputSize: stream.targetSize,
        seed,
        ...(engine === 'auto' ? {} : { engine }),
        ...(regularizers ? { regularizers } : {}),
      },
      hooks,
    );
  }
  if (!env) throw new PlasticdError('invalid_spec', `the '${kind}' agent needs an env`);
  if (regularizers) {
    throw new PlasticdError('invalid_spec', `regularizers are supported by the 'continual' agent only for now; the '${kind}' agent cannot apply ${Object.keys(regularizers).join(', ')}`);
  }
  const spaces = { observationSpace: env.observationSpace, actionSpace: env.actionSpace, seed, engine, hooks };
  switch (kind) {
    case 'dqn':
      return new DqnAgent(mergeShorthand(kind, config, networks, { hidden: ['hidden'], activation: 'activation' }), spaces);
    case 'ppo': {
      // PPO's defaults are tuned for discrete CartPole; a Box action space starts from the continuous-control preset instead.
      const base = env.actionSpace instanceof Box ? CONTINUOUS_PPO_CONFIG : {};
      const own = mergeShorthand(kind, config, networks, { hidden: ['actorHidden', 'criticHidden'], activation: 'activation', init: 'init' });
      return new PpoAgent({ ...base, ...withoutUndefined(own) }, spaces);
    }
    case 'stream-ac':
      return new StreamAcAgent({ ...spaces, config: mergeShorthand(kind, config, networks, { hidden: ['hiddenUnits'] }) });
  }
}

/** Where each `networks` shorthand key lands in an agent's config; absent = the agent cannot honour it. */
interface ShorthandTargets {
  hidden?: string[];
  activation?: string;
  init?: string;
}

function mergeShorthand<T extends Record<string, unknown>>(kind: string, config: T, networks: NetworksBlock, targets: ShorthandTargets): T {
  const merged: Record<string, unknown> = { ...config };
  const put = (key: 'hidden' | 'activation' | 'init', value: unknown, to: string[] | undefined) => {
    if (value === undefined) return;
    if (!to) throw new PlasticdError('invalid_spec', `networks.${key} is not configurable for the '${kind}' agent; remove it`);
    for (const target of to) {
      if (merged[target] !== undefined) {
        throw new PlasticdError('invalid_spec', `networks.${key} and agent.${target} both set the '${kind}' agent's ${key}; set one of them`);
      }
      merged[target] = Array.isArray(value) ? [...value] : value;
    }
  };
  put('hidden', networks.hidden, targets.hidden);
  put('activation', networks.activation, targets.activation ? [targets.activation] : undefined);
  put('init', networks.init, targets.init ? [targets.init] : undefined);
  return merged as T;
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function activeRegularizers(spec: AgentSpec): RegularizerConfig | null {
  const entries = Object.entries(spec.regularizers).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? null : (Object.fromEntries(entries) as RegularizerConfig);
}
