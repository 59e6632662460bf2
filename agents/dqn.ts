/**
 * DQN (Mnih et al. 2015, Nature 518:529) with the optional double-DQN target (van Hasselt et al.
 * 2016, arXiv 1509.06461), read top to bottom like CleanRL's `dqn.py`: hyperparameters, network,
 * act, observe, update. Deliberate deviations from CleanRL: Huber loss (as the Nature paper and
 * SB3) instead of MSE; the target network syncs every `targetUpdateInterval` gradient updates (not
 * env steps); no `totalTimesteps`, so ε decays over `explorationSteps` env steps; defaults follow
 * rl-zoo's CartPole-v1 settings (50k steps instead of CleanRL's 500k; scripts/learning/cartpole-dqn.ts).
 * Opt-in: the MSE TD loss, gradient-norm clipping (SB3's max_grad_norm) and a linear learning-rate decay.
 */
import { z } from 'zod';
import { Box, Discrete, type Space } from '../envs/spaces.ts';
import { createNetwork, type NetworkEngine } from '../src/nn/create-network.ts';
import { huberLoss, meanSquaredError } from '../src/nn/losses.ts';
import type { OptimizerConfig } from '../src/nn/optimizers/optimizer.ts';
import type { Activation, Network, NetworkState, OutputLoss } from '../src/nn/types.ts';
import { PlasticdError } from '../src/util/errors.ts';
import { Rng, type RngState } from '../src/util/rng.ts';
import { NO_HOOKS, type Agent, type AgentHooks, type AgentStats, type Transition } from './agent.ts';
import { argmaxRow } from './distributions.ts';
import { optimizerConfigSchema } from './optimizer-schema.ts';
import { ReplayBuffer, type ReplayBatch, type ReplayBufferState } from './replay-buffer.ts';

// ───────────────────────────── hyperparameters ─────────────────────────────

export interface DqnConfig {
  /** Hidden layer widths of the Q-network. Default [128, 128] (CleanRL: [120, 84]; rl-zoo: [256, 256]). */
  hidden: number[];
  /** Hidden activation. Default 'relu'. */
  activation: Activation;
  /** Optimizer of the Q-network. Default Adam, learning rate 2.3e-3 (rl-zoo CartPole; CleanRL: 2.5e-4 over 500k steps). */
  optimizer: OptimizerConfig;
  /** Replay capacity in transitions. Default 100,000. */
  bufferSize: number;
  /** Discount γ. Default 0.99. */
  gamma: number;
  /** Polyak rate of the target sync: 1 = hard copy. Default 1. */
  tau: number;
  /** Gradient updates between target syncs. Default 128, i.e. every 256 env steps as in rl-zoo (CleanRL: 500 env steps / train every 10 = 50). */
  targetUpdateInterval: number;
  /** Transitions per gradient update. Default 64. */
  batchSize: number;
  /** ε at the start. Default 1. */
  startEpsilon: number;
  /** ε after the decay. Default 0.04. */
  endEpsilon: number;
  /** Env steps over which ε decays linearly. Default 8,000. */
  explorationSteps: number;
  /** Env steps before the first update (the buffer fills with ε-greedy play first). Default 1,000. */
  learningStarts: number;
  /** Env steps between training rounds. Default 2. */
  trainFrequency: number;
  /** Gradient updates per training round. Default 1 (rl-zoo's CartPole schedule trains in bursts: 128 every 256 steps, same ratio). */
  gradientSteps: number;
  /** Bootstrap from the target net's value of the online net's argmax (double DQN). Default true. */
  doubleDqn: boolean;
  /** Huber threshold on the TD error. Default 1. */
  huberDelta: number;
  /** TD loss on Q(s, a): 'huber' (Nature DQN, SB3; threshold huberDelta) or 'mse' (CleanRL). Default 'huber'. */
  tdLoss: 'huber' | 'mse';
  /** Rescale each update's whole gradient to at most this L2 norm (SB3's max_grad_norm, 10); null = no clipping. Default null. */
  maxGradNorm: number | null;
  /**
   * Anneal the learning rate linearly from optimizer.learningRate to 0 over this many env steps (then
   * 0: learning stops), as PPO's key of the same name. For fixed-length runs only; 0 = constant, the default.
   */
  learningRateAnnealSteps: number;
}

export const DEFAULT_DQN_CONFIG: Readonly<DqnConfig> = Object.freeze<DqnConfig>({
  hidden: [128, 128],
  activation: 'relu',
  optimizer: { kind: 'adam', learningRate: 2.3e-3 },
  bufferSize: 100_000,
  gamma: 0.99,
  tau: 1,
  targetUpdateInterval: 128,
  batchSize: 64,
  startEpsilon: 1,
  endEpsilon: 0.04,
  explorationSteps: 8_000,
  learningStarts: 1_000,
  trainFrequency: 2,
  gradientSteps: 1,
  doubleDqn: true,
  huberDelta: 1,
  tdLoss: 'huber',
  maxGradNorm: null,
  learningRateAnnealSteps: 0,
});

/**
 * CleanRL dqn.py's CartPole-v1 settings (lr 2.5e-4, 10k buffer, batch 128, net 120×84, train every
 * 10 steps, hard target sync every 500 env steps = 50 updates, ε 1 → 0.05 over 250k steps,
 * learning starts at 10k, plain DQN target, MSE loss), meant for 500k env steps
 * (scripts/learning/cartpole-dqn.ts). With these settings the Huber loss let Q(s, a) run away
 * (mean TD target 3,204 after 50k steps, where returns are ≤ 100); MSE does not.
 */
export const CARTPOLE_DQN_CONFIG: Readonly<Partial<DqnConfig>> = Object.freeze<Partial<DqnConfig>>({
  hidden: [120, 84],
  optimizer: { kind: 'adam', learningRate: 2.5e-4 },
  bufferSize: 10_000,
  gamma: 0.99,
  tau: 1,
  targetUpdateInterval: 50,
  batchSize: 128,
  startEpsilon: 1,
  endEpsilon: 0.05,
  explorationSteps: 250_000,
  learningStarts: 10_000,
  trainFrequency: 10,
  gradientSteps: 1,
  doubleDqn: false,
  tdLoss: 'mse',
});

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

/** Validates a (partial) DQN config from an AgentSpec; missing keys take DEFAULT_DQN_CONFIG. */
export const dqnConfigSchema = z
  .object({
    hidden: z.array(positiveInt).min(1),
    activation: z.enum(['relu', 'leaky_relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'swish', 'linear']),
    optimizer: optimizerConfigSchema,
    bufferSize: positiveInt,
    gamma: probability,
    tau: z.number().gt(0).max(1),
    targetUpdateInterval: positiveInt,
    batchSize: positiveInt,
    startEpsilon: probability,
    endEpsilon: probability,
    explorationSteps: positiveInt,
    learningStarts: z.number().int().min(0),
    trainFrequency: positiveInt,
    gradientSteps: positiveInt,
    doubleDqn: z.boolean(),
    huberDelta: z.number().positive(),
    tdLoss: z.enum(['huber', 'mse']),
    maxGradNorm: z.number().positive().nullable(),
    learningRateAnnealSteps: z.number().int().min(0),
  })
  .strict()
  .partial();

export interface DqnOptions {
  observationSpace: Space<unknown>;
  /** Must be Discrete. */
  actionSpace: Space<unknown>;
  seed: number;
  /** Network engine; default: createNetwork's ('auto'). */
  engine?: NetworkEngine;
  hooks?: AgentHooks;
}

interface DqnState {
  kind: 'dqn';
  config: DqnConfig;
  q: NetworkState;
  target: NetworkState;
  buffer: ReplayBufferState;
  rng: RngState;
  steps: number;
  lossSum: number;
  lossCount: number;
  qSum: number;
}

// ───────────────────────────── the agent ─────────────────────────────

export class DqnAgent implements Agent<Float32Array, number> {
  readonly kind = 'dqn';
  readonly config: DqnConfig;
  hooks: AgentHooks;
  private readonly q: Network;
  /** Not exposed to the monitor: it only ever receives copies of q's parameters. */
  private readonly target: Network;
  private readonly buffer: ReplayBuffer;
  private readonly rng: Rng;
  private readonly actionCount: number;
  private readonly actionStart: number;
  private readonly observationSize: number;
  /** Env steps observed. */
  private steps = 0;
  private lossSum = 0;
  private lossCount = 0;
  private qSum = 0;
  // Preallocated update buffers; the loss closes over `targets` and `mask`.
  private readonly batch;
  private readonly targets: Float32Array;
  private readonly mask: Float32Array;
  private readonly loss: OutputLoss;

  constructor(config: Partial<DqnConfig>, options: DqnOptions) {
    this.config = { ...DEFAULT_DQN_CONFIG, ...dqnConfigSchema.parse(config) } as DqnConfig;
    const { observationSpace, actionSpace } = options;
    if (!(observationSpace instanceof Box) || observationSpace.shape.length !== 1) {
      throw new PlasticdError('agent_unsupported_space', `DQN needs a 1-D Box observation space, got ${describeSpace(observationSpace)}.`);
    }
    if (!(actionSpace instanceof Discrete)) {
      throw new PlasticdError('agent_unsupported_space', `DQN needs a Discrete action space, got ${describeSpace(actionSpace)}; use PPO for continuous actions.`);
    }
    this.observationSize = observationSpace.size;
    this.actionCount = actionSpace.n;
    this.actionStart = actionSpace.start;
    this.hooks = options.hooks ?? NO_HOOKS;
    this.rng = new Rng(options.seed);

    // ── networks: the online Q-network and its target copy ──
    const c = this.config;
    const spec = {
      name: 'q',
      inputSize: this.observationSize,
      hidden: c.hidden.map((units) => ({ units, activation: c.activation })),
      outputSize: this.actionCount,
      init: 'torch_default' as const,
      seed: this.rng.nextUint32(),
    };
    const engine = options.engine;
    const optimizer = c.maxGradNorm === null || c.optimizer.kind === 'obgd' ? c.optimizer : { ...c.optimizer, maxGradNorm: c.maxGradNorm };
    this.q = createNetwork(spec, { engine, optimizer });
    this.target = createNetwork({ ...spec, name: 'q-target' }, { engine, optimizer: { kind: 'sgd', learningRate: 0 } });
    this.syncTarget(1);

    this.buffer = new ReplayBuffer(c.bufferSize, this.observationSize, 1);
    this.batch = this.buffer.createBatch(c.batchSize);
    this.targets = new Float32Array(c.batchSize);
    this.mask = new Float32Array(c.batchSize * this.actionCount);
    this.loss = c.tdLoss === 'mse' ? meanSquaredError(this.targets, { mask: this.mask }) : huberLoss(this.targets, { mask: this.mask, delta: c.huberDelta });
  }

  /** Linear decay from startEpsilon to endEpsilon over explorationSteps env steps. */
  get epsilon(): number {
    const { startEpsilon, endEpsilon, explorationSteps } = this.config;
    return Math.max(endEpsilon, startEpsilon + ((endEpsilon - startEpsilon) * this.steps) / explorationSteps);
  }

  /** The optimizer's learning rate now: constant, or annealed linearly to 0 over learningRateAnnealSteps env steps. */
  get learningRate(): number {
    const { optimizer, learningRateAnnealSteps } = this.config;
    if (learningRateAnnealSteps === 0) return optimizer.learningRate;
    if (this.steps >= learningRateAnnealSteps) return 0;
    return optimizer.learningRate - optimizer.learningRate * (this.steps / learningRateAnnealSteps);
  }

  // ───────────────────────────── act ─────────────────────────────

  /** ε-greedy on Q(s, ·). */
  act(observation: Float32Array): number {
    if (this.rng.random() < this.epsilon) return this.actionStart + this.rng.int(this.actionCount);
    return this.greedyAction(observation);
  }

  /** argmax_a Q(s, a), without exploration (for evaluation). */
  greedyAction(observation: Float32Array): number {
    const q = this.q.predict(observation, 1);
    return this.actionStart + argmaxRow(q, 0, this.actionCount);
  }

  // ───────────────────────────── observe ─────────────────────────────

  observe(transition: Transition<Float32Array, number>): void {
    // Only `terminated` stops bootstrapping: a truncated episode still has a future (SB3's timeout handling).
    this.buffer.add(transition.observation, transition.action - this.actionStart, transition.reward, transition.nextObservation, transition.terminated);
    this.steps++;
    const c = this.config;
    if (this.steps > c.learningStarts && this.steps % c.trainFrequency === 0) {
      for (let k = 0; k < c.gradientSteps; k++) this.update();
    }
  }

  // ───────────────────────────── update ─────────────────────────────

  private update(): void {
    const c = this.config;
    const n = this.actionCount;
    const batch = this.buffer.sample(this.rng, this.batch);
    const batchSize = c.batchSize;
    if (c.learningRateAnnealSteps > 0) this.q.setLearningRate(this.learningRate);
    this.tdTargets(batch, this.targets);
    this.mask.fill(0);
    for (let b = 0; b < batchSize; b++) this.mask[b * n + batch.actions[b]] = 1; // the loss on Q(s, a) only

    const trace = this.q.trainStep({ input: batch.observations, batchSize, loss: this.loss, references: this.hooks.references('q') });
    this.lossSum += trace.loss;
    this.lossCount++;
    let meanTarget = 0;
    for (let b = 0; b < batchSize; b++) meanTarget += this.targets[b];
    this.qSum += meanTarget / batchSize;
    this.hooks.onTrace(trace);

    if (this.q.updates % c.targetUpdateInterval === 0) this.syncTarget(c.tau);
  }

  /**
   * TD targets y = r + γ (1 − terminated) Q_target(s', a*) of a replay batch into `out`, with a* the
   * argmax of the target net (DQN) or of the online net (double DQN). Public for known-answer tests.
   */
  tdTargets(batch: ReplayBatch, out: Float32Array): Float32Array {
    const n = this.actionCount;
    const batchSize = batch.batchSize;
    const nextTarget = this.target.predict(batch.nextObservations, batchSize);
    const nextOnline = this.config.doubleDqn ? this.q.predict(batch.nextObservations, batchSize) : nextTarget;
    for (let b = 0; b < batchSize; b++) {
      const best = argmaxRow(nextOnline, b * n, n);
      out[b] = batch.rewards[b] + this.config.gamma * (1 - batch.terminated[b]) * nextTarget[b * n + best];
    }
    return out;
  }

  /** θ_target ← τ θ + (1 − τ) θ_target, parameters only (the target has no optimizer state worth keeping). */
  private syncTarget(tau: number): void {
    const source = this.q.state().parameters;
    const target = this.target.state();
    for (const key of Object.keys(target.parameters)) {
      const to = target.parameters[key];
      const from = source[key];
      if (tau === 1) to.set(from);
      else for (let i = 0; i < to.length; i++) to[i] = tau * from[i] + (1 - tau) * to[i];
    }
    this.target.restore(target);
  }

  // ───────────────────────────── contract ─────────────────────────────

  networks(): Record<string, Network> {
    return { q: this.q };
  }

  takeStats(): AgentStats {
    const stats: AgentStats = {
      updates: { q: this.q.updates },
      meanLoss: { q: this.lossCount > 0 ? this.lossSum / this.lossCount : NaN },
      extra: { epsilon: this.epsilon, learningRate: this.learningRate, meanTdTarget: this.lossCount > 0 ? this.qSum / this.lossCount : NaN, bufferSize: this.buffer.size, steps: this.steps },
    };
    this.lossSum = 0;
    this.lossCount = 0;
    this.qSum = 0;
    return stats;
  }

  state(): DqnState {
    return {
      kind: 'dqn',
      config: structuredClone(this.config),
      q: this.q.state(),
      target: this.target.state(),
      buffer: this.buffer.state(),
      rng: this.rng.state(),
      steps: this.steps,
      lossSum: this.lossSum,
      lossCount: this.lossCount,
      qSum: this.qSum,
    };
  }

  restore(state: unknown): void {
    const s = state as DqnState;
    if (s?.kind !== 'dqn') throw new PlasticdError('state_mismatch', `DqnAgent.restore: expected a 'dqn' state, got ${String((s as { kind?: unknown })?.kind)}.`);
    this.q.restore(s.q);
    this.target.restore(s.target);
    this.buffer.restore(s.buffer);
    this.rng.restore(s.rng);
    this.steps = s.steps;
    this.lossSum = s.lossSum;
    this.lossCount = s.lossCount;
    this.qSum = s.qSum;
  }

  dispose(): void {
    this.q.dispose();
    this.target.dispose();
  }
}

export function describeSpace(space: Space<unknown>): string {
  if (space instanceof Discrete) return `Discrete(${space.n})`;
  if (space instanceof Box) return `Box(shape [${space.shape.join(', ')}])`;
  return String((space as { kind?: unknown })?.kind ?? space);
}
