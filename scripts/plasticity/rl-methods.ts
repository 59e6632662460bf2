/**
 * The AgentSpecs the nonstationary RL comparison runs: one base spec (env, agent, networks, monitor)
 * and, per method, only the monitor's reset policy changes (algorithms.md §2.1, §2.2):
 *   plain — no resets;
 *   gxd   — continual-backprop replacement (ρ per update, maturity m) ranked by GXD-L, r = ā, with bias transfer;
 *   cbp   — the same replacement ranked by CBP's contribution utility (the PPO cfg's choice, §2.2.2),
 *           r = 0, i.e. no bias transfer, as gnt.py effectively does (§2.2.3 step 8).
 * Window extras that do not change training (reset audit, curvature, GXD-F) are off to keep runs short.
 */
import type { AgentSpecInput } from '../../src/config/agent-spec.ts';

export const RL_METHOD_NAMES = ['plain', 'gxd', 'cbp'] as const;
export type RlMethodName = (typeof RL_METHOD_NAMES)[number];
export type RlAgentKind = 'dqn' | 'ppo';

export interface RlSettings {
  /** Registered env id, e.g. 'plasticd/PermutedCartPole-v1'. */
  envId: string;
  /** Env kwargs merged over the registration's (e.g. {every: 10000, flipSigns: true}). */
  envKwargs: Record<string, unknown>;
  agent: RlAgentKind;
  /** Hidden layer widths of every network. */
  hidden: number[];
  /** Adam β1 = β2 = 0.99 ("non-stationary Adam", §4.6) instead of the agent's default Adam. */
  nonstationaryAdam: boolean;
  /** Env steps per monitor window. */
  windowLength: number;
  /** Recent inputs the window metrics are measured on. */
  probeSize: number;
  /** ρ and m of the replacement-rate policy (gxd and cbp). */
  replacementRate: number;
  maturityThreshold: number;
}

export const DEFAULT_RL_SETTINGS: Readonly<RlSettings> = Object.freeze({
  envId: 'plasticd/PermutedCartPole-v1',
  envKwargs: { every: 10_000, flipSigns: true },
  agent: 'dqn',
  hidden: [64, 64],
  nonstationaryAdam: false,
  windowLength: 1000,
  probeSize: 256,
  replacementRate: 1e-4,
  maturityThreshold: 100,
});

/** DQN as the daemon's default config runs it (src/config/default-config.ts). */
const DQN_AGENT = { learningStarts: 500, explorationSteps: 5000, bufferSize: 10_000, trainFrequency: 4, targetUpdateInterval: 250 } as const;
/** DQN's default Adam learning rate (agents/dqn.ts). */
const DQN_LEARNING_RATE = 2.3e-3;
/** PPO's default Adam (agents/ppo.ts); the other discrete defaults are kept. */
const PPO_LEARNING_RATE = 1e-3;
const PPO_EPSILON = 1e-5;

/** The base spec (no resets), shared by every method. */
export function baseSpec(settings: RlSettings, seed: number, id: string): AgentSpecInput {
  const agent: Record<string, unknown> =
    settings.agent === 'dqn' ? { kind: 'dqn', ...DQN_AGENT } : { kind: 'ppo' };
  if (settings.nonstationaryAdam) {
    const learningRate = settings.agent === 'dqn' ? DQN_LEARNING_RATE : PPO_LEARNING_RATE;
    agent.optimizer = { kind: 'adam', learningRate, beta1: 0.99, beta2: 0.99, ...(settings.agent === 'ppo' ? { epsilon: PPO_EPSILON } : {}) };
  }
  return {
    id,
    seed,
    windowLength: settings.windowLength,
    env: { id: settings.envId, kwargs: { ...settings.envKwargs } },
    agent: agent as AgentSpecInput['agent'],
    // ReLU for PPO too (its default is tanh), as in the continual-backprop PPO (§4.6), so dead/dormant units mean the same thing.
    networks: { engine: 'typed', hidden: [...settings.hidden], ...(settings.agent === 'ppo' ? { activation: 'relu' as const } : {}) },
    monitor: { probeSize: settings.probeSize, audit: null, curvature: null, outputGxd: false, resetPolicy: { kind: 'none' } },
  };
}

/** The monitor overrides of `method` (merged over the base spec's monitor). */
export function methodMonitor(method: RlMethodName, settings: RlSettings): Record<string, unknown> {
  const rate = { kind: 'replacement-rate', replacementRate: settings.replacementRate, maturityThreshold: settings.maturityThreshold };
  switch (method) {
    case 'plain':
      return { resetPolicy: { kind: 'none' } };
    case 'gxd':
      return { reference: 'running-mean', resetPolicy: { ...rate, criterion: 'gxd' } };
    case 'cbp':
      return { reference: 'zero', resetPolicy: { ...rate, criterion: 'contribution' } };
  }
}

/** The full spec of one run: the base spec with the method's monitor overrides. */
export function methodSpec(method: RlMethodName, settings: RlSettings, seed: number): AgentSpecInput {
  const base = baseSpec(settings, seed, `${settings.agent}-${method}-s${seed}`);
  return { ...base, monitor: { ...(base.monitor as object), ...methodMonitor(method, settings) } };
}

/** One line per method for the report. */
export function methodSummary(method: RlMethodName, settings: RlSettings): string {
  const rate = `ρ=${settings.replacementRate}, m=${settings.maturityThreshold} updates, η=0.99`;
  switch (method) {
    case 'plain':
      return 'no resets';
    case 'gxd':
      return `replacement-rate, ${rate}, GXD-L with r=ā and bias transfer`;
    case 'cbp':
      return `replacement-rate, ${rate}, CBP contribution utility, no bias transfer`;
  }
}

export function parseRlMethods(list: string): RlMethodName[] {
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(RL_METHOD_NAMES as readonly string[]).includes(name)) throw new Error(`unknown method '${name}'; expected ${RL_METHOD_NAMES.join(', ')}`);
  }
  if (names.length === 0) throw new Error(`--methods needs at least one of ${RL_METHOD_NAMES.join(', ')}`);
  return names as RlMethodName[];
}
