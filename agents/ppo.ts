/**
 * PPO with the clipped surrogate (Schulman et al. 2017, arXiv 1707.06347) and GAE, read top to
 * bottom like CleanRL's `ppo.py` / `ppo_continuous_action.py`: hyperparameters, networks, act,
 * observe, update (the losses live in ppo-losses.ts). Separate actor and critic networks (as in
 * Dohare et al.'s PPO, algorithms.md §4.6), each with its own optimizer. Deliberate deviations from CleanRL: one env;
 * no total step count, so learning-rate annealing is opt-in (`learningRateAnnealSteps`; a daemon
 * agent learns forever); no gradient-norm
 * clipping (the Network has none; Dohare et al. effectively use none); truncated episodes bootstrap
 * from V(final observation); observation/reward normalisation live in the agent (so they
 * checkpoint with it) instead of env wrappers. The Gaussian log-std is a parameter vector outside
 * the actor network, updated by its own copy of the actor's optimizer (Adam or SGD) in plain JS.
 */
import { z } from 'zod';
import { Box, Discrete, type Space } from '../envs/spaces.ts';
import { createNetwork, type NetworkEngine } from '../src/nn/create-network.ts';
import type { OptimizerConfig } from '../src/nn/optimizers/optimizer.ts';
import type { Activation, Initializer, Network, NetworkState, OutputLoss } from '../src/nn/types.ts';
import { PlasticdError } from '../src/util/errors.ts';
import { Rng, type RngState } from '../src/util/rng.ts';
import { NO_HOOKS, type Agent, type AgentHooks, type AgentStats, type Transition } from './agent.ts';
import { describeSpace } from './dqn.ts';
import { categoricalLogProb, gaussianLogProb, sampleCategorical, sampleGaussian } from './distributions.ts';
import { categoricalPolicyLoss, gaussianPolicyLoss, valueLoss, VectorOptimizer, type LossStats, type PolicyBatch } from './ppo-losses.ts';

export { categoricalPolicyLoss, gaussianPolicyLoss, valueLoss, type LossStats, type PolicyBatch } from './ppo-losses.ts';
import { optimizerConfigSchema } from './optimizer-schema.ts';
import { RolloutBuffer, type RolloutBufferState } from './rollout-buffer.ts';
import { ObservationNormalizer, RewardNormalizer, type RunningMeanStdState } from './running-normalizer.ts';

// ───────────────────────────── hyperparameters ─────────────────────────────

export interface PpoConfig {
  /** Hidden widths of the actor (policy) network. Default [64, 64] (CleanRL). */
  actorHidden: number[];
  /** Hidden widths of the critic (value) network. Default [64, 64]. */
  criticHidden: number[];
  /** Hidden activation of both networks. Default 'tanh' (CleanRL). */
  activation: Activation;
  /** Weight initialiser (biases start at 0). Default 'lecun_uniform' (Dohare et al.). */
  init: Initializer;
  /** The actor's output layer is scaled by this after init, like CleanRL's orthogonal std 0.01: a near-uniform first policy. Default 0.01. */
  actorOutputScale: number;
  /** Optimizer of each network (and of the log-std). Default Adam lr 1e-3, ε 1e-5 (CleanRL: 2.5e-4 annealed, 4 envs); β1 = β2 = 0.99 for "non-stationary Adam". */
  optimizer: OptimizerConfig;
  /** Env steps per rollout. Default 1024. */
  numSteps: number;
  /** Minibatches per epoch (numSteps must be divisible by it). Default 8. */
  numMinibatches: number;
  /** Passes over each rollout. Default 10. */
  updateEpochs: number;
  /** Discount γ. Default 0.99. */
  gamma: number;
  /** GAE λ. Default 0.95. */
  gaeLambda: number;
  /** Surrogate clip ε (also the value clip). Default 0.2. */
  clipCoef: number;
  /** Clip the value loss around the rollout's values, as in the PPO paper's code. Default true. */
  clipValueLoss: boolean;
  /** Entropy bonus coefficient. Default 0.01 (CleanRL discrete; use 0 for continuous). */
  entropyCoef: number;
  /** Value-loss coefficient (scales the critic's gradient). Default 0.5. */
  valueCoef: number;
  /** Standardise advantages per minibatch. Default true. */
  normalizeAdvantages: boolean;
  /** Running mean/std observation normalisation, clipped to ±observationClip. Default false. */
  normalizeObservations: boolean;
  /** Scale rewards by the running std of the discounted return, clipped to ±rewardClip. Default false. */
  normalizeRewards: boolean;
  /** Default 10. */
  observationClip: number;
  /** Default 10. */
  rewardClip: number;
  /** Stop an update's epochs early once the approximate KL exceeds this; 0 = never. Default 0. */
  targetKl: number;
  /** Initial log-std of the Gaussian policy (continuous actions). Default 0. */
  initialLogStd: number;
  /**
   * Anneal the learning rate linearly to 0 over this many env steps, updated before each rollout's
   * update as CleanRL's `anneal_lr` does (lr·(1 − steps/N), then 0: learning stops). For fixed-length
   * runs only; 0 = a constant learning rate, the default, since a daemon agent learns forever.
   */
  learningRateAnnealSteps: number;
}

export const DEFAULT_PPO_CONFIG: Readonly<PpoConfig> = Object.freeze<PpoConfig>({
  actorHidden: [64, 64],
  criticHidden: [64, 64],
  activation: 'tanh',
  init: 'lecun_uniform',
  actorOutputScale: 0.01,
  optimizer: { kind: 'adam', learningRate: 1e-3, epsilon: 1e-5 },
  numSteps: 1024,
  numMinibatches: 8,
  updateEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipCoef: 0.2,
  clipValueLoss: true,
  entropyCoef: 0.01,
  valueCoef: 0.5,
  normalizeAdvantages: true,
  normalizeObservations: false,
  normalizeRewards: false,
  observationClip: 10,
  rewardClip: 10,
  targetKl: 0,
  initialLogStd: 0,
  learningRateAnnealSteps: 0,
});

/**
 * Overrides tuned for continuous control (the daemon's continuous-action PPO), after CleanRL's
 * `ppo_continuous_action.py` and rl-zoo's Pendulum settings (γ = 0.9: Pendulum's horizon is short).
 * scripts/learning/pendulum-ppo.ts adds γ = 0.95 and learning-rate annealing for its fixed-length runs.
 */
export const CONTINUOUS_PPO_CONFIG: Readonly<Partial<PpoConfig>> = Object.freeze<Partial<PpoConfig>>({
  optimizer: { kind: 'adam', learningRate: 1e-3, epsilon: 1e-5 },
  numSteps: 2048,
  numMinibatches: 32,
  updateEpochs: 10,
  gamma: 0.9,
  gaeLambda: 0.95,
  entropyCoef: 0,
  normalizeObservations: true,
  normalizeRewards: true,
});

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

/** Validates a (partial) PPO config from an AgentSpec; missing keys take DEFAULT_PPO_CONFIG. */
export const ppoConfigSchema = z
  .object({
    actorHidden: z.array(positiveInt).min(1),
    criticHidden: z.array(positiveInt).min(1),
    activation: z.enum(['relu', 'leaky_relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'swish', 'linear']),
    init: z.enum(['he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'xavier_uniform', 'xavier_normal', 'torch_default']),
    actorOutputScale: z.number().positive(),
    optimizer: optimizerConfigSchema,
    numSteps: positiveInt,
    numMinibatches: positiveInt,
    updateEpochs: positiveInt,
    gamma: probability,
    gaeLambda: probability,
    clipCoef: z.number().positive(),
    clipValueLoss: z.boolean(),
    entropyCoef: z.number().min(0),
    valueCoef: z.number().positive(),
    normalizeAdvantages: z.boolean(),
    normalizeObservations: z.boolean(),
    normalizeRewards: z.boolean(),
    observationClip: z.number().positive(),
    rewardClip: z.number().positive(),
    targetKl: z.number().min(0),
    initialLogStd: z.number(),
    learningRateAnnealSteps: z.number().int().min(0),
  })
  .strict()
  .partial();

export interface PpoOptions {
  /** A 1-D Box. */
  observationSpace: Space<unknown>;
  /** Discrete (categorical policy) or a 1-D Box (Gaussian policy). */
  actionSpace: Space<unknown>;
  seed: number;
  /** Network engine; default: createNetwork's ('auto'). */
  engine?: NetworkEngine;
  hooks?: AgentHooks;
}


interface PpoState {
  kind: 'ppo';
  config: PpoConfig;
  actor: NetworkState;
  critic: NetworkState;
  logStd: Float64Array;
  logStdOptimizer: { first: Float64Array; second: Float64Array; steps: number };
  rollout: RolloutBufferState;
  rng: RngState;
  observationStatistics: RunningMeanStdState | null;
  rewardNormalizer: { statistics: RunningMeanStdState; discountedReturn: number } | null;
  steps: number;
  rollouts: number;
  pending: { valid: boolean; raw: Float32Array; normalized: Float32Array; action: Float32Array; logProb: number; value: number };
  accumulators: { actorLoss: number; criticLoss: number; losses: number; stats: LossStats; samples: number };
}

// ───────────────────────────── the agent ─────────────────────────────

export class PpoAgent implements Agent<Float32Array, number | Float32Array> {
  readonly kind = 'ppo';
  readonly config: PpoConfig;
  hooks: AgentHooks;
  readonly actionKind: 'discrete' | 'continuous';
  private readonly actor: Network;
  private readonly critic: Network;
  private readonly rng: Rng;
  private readonly observationSize: number;
  /** Logits (discrete) or mean dimensions (continuous). */
  private readonly actionSize: number;
  private readonly actionStart: number;
  private readonly actionLow: Float64Array | null = null;
  private readonly actionHigh: Float64Array | null = null;
  /** State-independent log σ of the Gaussian policy (unused for discrete actions). */
  private readonly logStd: Float64Array;
  private readonly logStdGradient: Float64Array;
  private readonly logStdOptimizer: VectorOptimizer;
  private readonly observationNormalizer: ObservationNormalizer | null;
  private readonly rewardNormalizer: RewardNormalizer | null;
  private readonly rollout: RolloutBuffer;
  private steps = 0;
  private rollouts = 0;
  /** What act() computed for its observation, reused by observe() when the transition matches. */
  private readonly pending;
  // Minibatch buffers the losses read.
  private readonly minibatchSize: number;
  private readonly indices: Int32Array;
  private readonly batchObservations: Float32Array;
  private readonly batch: PolicyBatch;
  private readonly batchReturns: Float32Array;
  private readonly batchValues: Float32Array;
  private readonly actorLoss: OutputLoss;
  private readonly criticLoss: OutputLoss;
  private readonly stats: LossStats = { policyLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0, valueLoss: 0 };
  private readonly accumulators = { actorLoss: 0, criticLoss: 0, losses: 0, samples: 0 };
  private explainedVariance = NaN;

  constructor(config: Partial<PpoConfig>, options: PpoOptions) {
    this.config = { ...DEFAULT_PPO_CONFIG, ...ppoConfigSchema.parse(config) } as PpoConfig;
    const c = this.config;
    const { observationSpace, actionSpace } = options;
    if (!(observationSpace instanceof Box) || observationSpace.shape.length !== 1) {
      throw new PlasticdError('agent_unsupported_space', `PPO needs a 1-D Box observation space, got ${describeSpace(observationSpace)}.`);
    }
    if (actionSpace instanceof Discrete) {
      this.actionKind = 'discrete';
      this.actionSize = actionSpace.n;
      this.actionStart = actionSpace.start;
    } else if (actionSpace instanceof Box && actionSpace.shape.length === 1) {
      this.actionKind = 'continuous';
      this.actionSize = actionSpace.size;
      this.actionStart = 0;
      this.actionLow = actionSpace.low;
      this.actionHigh = actionSpace.high;
    } else {
      throw new PlasticdError('agent_unsupported_space', `PPO needs a Discrete or 1-D Box action space, got ${describeSpace(actionSpace)}.`);
    }
    if (c.numSteps % c.numMinibatches !== 0) {
      throw new PlasticdError('agent_invalid_config', `PPO: numSteps (${c.numSteps}) must be divisible by numMinibatches (${c.numMinibatches}).`);
    }
    this.observationSize = observationSpace.size;
    this.hooks = options.hooks ?? NO_HOOKS;
    this.rng = new Rng(options.seed);

    // ── networks: actor (logits or mean) and critic (value) ──
    const engine = options.engine;
    const layers = (widths: number[]) => widths.map((units) => ({ units, activation: c.activation }));
    this.actor = createNetwork(
      { name: 'actor', inputSize: this.observationSize, hidden: layers(c.actorHidden), outputSize: this.actionSize, init: c.init, seed: this.rng.nextUint32() },
      { engine, optimizer: c.optimizer },
    );
    this.critic = createNetwork(
      { name: 'critic', inputSize: this.observationSize, hidden: layers(c.criticHidden), outputSize: 1, init: c.init, seed: this.rng.nextUint32() },
      { engine, optimizer: c.optimizer },
    );
    scaleOutputLayer(this.actor, c.actorOutputScale);
    const logStdSize = this.actionKind === 'continuous' ? this.actionSize : 0;
    this.logStd = new Float64Array(logStdSize).fill(c.initialLogStd);
    this.logStdGradient = new Float64Array(logStdSize);
    this.logStdOptimizer = new VectorOptimizer(c.optimizer, logStdSize);
    this.observationNormalizer = c.normalizeObservations ? new ObservationNormalizer(this.observationSize, c.observationClip) : null;
    this.rewardNormalizer = c.normalizeRewards ? new RewardNormalizer(c.gamma, c.rewardClip) : null;

    // ── storage ──
    const storedActionSize = this.actionKind === 'discrete' ? 1 : this.actionSize;
    this.rollout = new RolloutBuffer(c.numSteps, this.observationSize, storedActionSize);
    this.pending = {
      valid: false,
      raw: new Float32Array(this.observationSize),
      normalized: new Float32Array(this.observationSize),
      action: new Float32Array(storedActionSize),
      logProb: 0,
      value: 0,
    };
    this.minibatchSize = c.numSteps / c.numMinibatches;
    this.indices = new Int32Array(c.numSteps);
    this.batchObservations = new Float32Array(this.minibatchSize * this.observationSize);
    this.batch = {
      actions: new Float32Array(this.minibatchSize * storedActionSize),
      oldLogProbs: new Float32Array(this.minibatchSize),
      advantages: new Float32Array(this.minibatchSize),
    };
    this.batchReturns = new Float32Array(this.minibatchSize);
    this.batchValues = new Float32Array(this.minibatchSize);
    this.actorLoss =
      this.actionKind === 'discrete'
        ? categoricalPolicyLoss(this.batch, c.clipCoef, c.entropyCoef, this.stats)
        : gaussianPolicyLoss(this.batch, this.logStd, this.logStdGradient, c.clipCoef, c.entropyCoef, this.stats);
    this.criticLoss = valueLoss(this.batchReturns, this.batchValues, c.clipValueLoss ? c.clipCoef : null, c.valueCoef, this.stats);
  }

  // ───────────────────────────── act ─────────────────────────────

  /** Samples from π(·|s); continuous actions are clipped to the Box (the unclipped sample is what gets trained on). */
  act(observation: Float32Array): number | Float32Array {
    const p = this.pending;
    p.raw.set(observation);
    this.normalizeObservation(observation, p.normalized);
    const output = this.actor.predict(p.normalized, 1);
    if (this.actionKind === 'discrete') {
      const action = sampleCategorical(output, 0, this.actionSize, this.rng);
      p.action[0] = action;
      p.logProb = categoricalLogProb(output, 0, this.actionSize, action);
    } else {
      sampleGaussian(output, 0, this.logStd, this.actionSize, this.rng, p.action);
      p.logProb = gaussianLogProb(p.action, 0, output, 0, this.logStd, this.actionSize);
    }
    p.value = this.critic.predict(p.normalized, 1)[0];
    p.valid = true;
    return this.envAction(p.action);
  }

  /** The mode of the policy (argmax / mean), for evaluation. */
  greedyAction(observation: Float32Array): number | Float32Array {
    const output = this.actor.predict(this.normalizeObservation(observation, new Float32Array(this.observationSize)), 1);
    if (this.actionKind === 'continuous') return this.envAction(output);
    let best = 0;
    for (let c = 1; c < this.actionSize; c++) if (output[c] > output[best]) best = c;
    return this.actionStart + best;
  }

  private envAction(action: Float32Array): number | Float32Array {
    if (this.actionKind === 'discrete') return this.actionStart + action[0];
    const out = new Float32Array(this.actionSize);
    for (let d = 0; d < this.actionSize; d++) out[d] = Math.min(Math.max(action[d], this.actionLow![d]), this.actionHigh![d]);
    return out;
  }

  private normalizeObservation(observation: ArrayLike<number>, out: Float32Array): Float32Array {
    if (this.observationNormalizer) return this.observationNormalizer.normalize(observation, out);
    out.set(observation);
    return out;
  }

  // ───────────────────────────── observe ─────────────────────────────

  observe(transition: Transition<Float32Array, number | Float32Array>): void {
    const c = this.config;
    if (!this.pendingMatches(transition)) this.recomputePending(transition);
    const p = this.pending;
    p.valid = false;
    this.observationNormalizer?.statistics.update(transition.observation);

    const done = transition.terminated || transition.truncated;
    let reward = this.rewardNormalizer ? this.rewardNormalizer.normalize(transition.reward, done) : transition.reward;
    // A time limit is not the end of the MDP: fold γ·V(s_final) into the reward, then cut the GAE recursion.
    if (transition.truncated && !transition.terminated) reward += c.gamma * this.value(transition.nextObservation);
    this.rollout.add(p.normalized, p.action, p.logProb, p.value, reward, done);
    this.steps++;

    if (this.rollout.full) {
      const lastValue = done ? 0 : this.value(transition.nextObservation);
      this.rollout.computeAdvantages(lastValue, c.gamma, c.gaeLambda);
      this.update();
      this.rollout.clear();
      this.rollouts++;
    }
  }

  private value(observation: Float32Array): number {
    return this.critic.predict(this.normalizeObservation(observation, new Float32Array(this.observationSize)), 1)[0];
  }

  private pendingMatches(transition: Transition<Float32Array, number | Float32Array>): boolean {
    const p = this.pending;
    if (!p.valid) return false;
    for (let k = 0; k < this.observationSize; k++) if (p.raw[k] !== transition.observation[k]) return false;
    if (this.actionKind === 'discrete') return transition.action === this.actionStart + p.action[0];
    const action = transition.action as Float32Array;
    for (let d = 0; d < this.actionSize; d++) {
      if (action[d] !== Math.fround(Math.min(Math.max(p.action[d], this.actionLow![d]), this.actionHigh![d]))) return false;
    }
    return true;
  }

  /** A transition act() did not produce (e.g. a scripted action): evaluate log π(a|s) and V(s) for it. */
  private recomputePending(transition: Transition<Float32Array, number | Float32Array>): void {
    const p = this.pending;
    p.raw.set(transition.observation);
    this.normalizeObservation(transition.observation, p.normalized);
    const output = this.actor.predict(p.normalized, 1);
    if (this.actionKind === 'discrete') {
      p.action[0] = (transition.action as number) - this.actionStart;
      p.logProb = categoricalLogProb(output, 0, this.actionSize, p.action[0]);
    } else {
      p.action.set(transition.action as Float32Array);
      p.logProb = gaussianLogProb(p.action, 0, output, 0, this.logStd, this.actionSize);
    }
    p.value = this.critic.predict(p.normalized, 1)[0];
  }

  // ───────────────────────────── update ─────────────────────────────

  /** updateEpochs passes of numMinibatches minibatches over the rollout; each minibatch updates the actor then the critic. */
  private update(): void {
    const c = this.config;
    const r = this.rollout;
    if (c.learningRateAnnealSteps > 0) this.setLearningRate(c.optimizer.learningRate * this.annealFraction());
    const m = this.minibatchSize;
    const n = this.observationSize;
    const actionRow = r.actionSize;
    for (let epoch = 0; epoch < c.updateEpochs; epoch++) {
      this.rng.permutation(c.numSteps, this.indices);
      const klBefore = this.stats.approxKl;
      for (let start = 0; start < c.numSteps; start += m) {
        for (let b = 0; b < m; b++) {
          const t = this.indices[start + b];
          this.batchObservations.set(r.observations.subarray(t * n, t * n + n), b * n);
          this.batch.actions.set(r.actions.subarray(t * actionRow, t * actionRow + actionRow), b * actionRow);
          this.batch.oldLogProbs[b] = r.logProbs[t];
          this.batch.advantages[b] = r.advantages[t];
          this.batchReturns[b] = r.returns[t];
          this.batchValues[b] = r.values[t];
        }
        if (c.normalizeAdvantages) standardize(this.batch.advantages);

        const actorTrace = this.actor.trainStep({ input: this.batchObservations, batchSize: m, loss: this.actorLoss, references: this.hooks.references('actor') });
        if (this.actionKind === 'continuous') this.logStdOptimizer.step(this.logStd, this.logStdGradient);
        this.accumulators.actorLoss += actorTrace.loss;
        this.hooks.onTrace(actorTrace);

        const criticTrace = this.critic.trainStep({ input: this.batchObservations, batchSize: m, loss: this.criticLoss, references: this.hooks.references('critic') });
        this.accumulators.criticLoss += criticTrace.loss;
        this.hooks.onTrace(criticTrace);
        this.accumulators.losses++;
        this.accumulators.samples += m;
      }
      if (c.targetKl > 0 && (this.stats.approxKl - klBefore) / c.numSteps > c.targetKl) break;
    }
    this.explainedVariance = explainedVariance(r.values, r.returns);
  }

  /** CleanRL's frac = 1 − (iteration − 1)/iterations, in env steps: the rollout that starts at step 0 trains at the full rate. */
  private annealFraction(): number {
    const rolloutStart = this.steps - this.config.numSteps;
    return Math.max(0, 1 - rolloutStart / this.config.learningRateAnnealSteps);
  }

  private setLearningRate(learningRate: number): void {
    this.actor.setLearningRate(learningRate);
    this.critic.setLearningRate(learningRate);
    this.logStdOptimizer.learningRate = learningRate;
  }

  // ───────────────────────────── contract ─────────────────────────────

  networks(): Record<string, Network> {
    return { actor: this.actor, critic: this.critic };
  }

  takeStats(): AgentStats {
    const a = this.accumulators;
    const s = this.stats;
    const perSample = (x: number) => (a.samples > 0 ? x / a.samples : NaN);
    let meanLogStd = NaN;
    if (this.logStd.length > 0) meanLogStd = this.logStd.reduce((x, y) => x + y, 0) / this.logStd.length;
    const stats: AgentStats = {
      updates: { actor: this.actor.updates, critic: this.critic.updates },
      meanLoss: { actor: a.losses > 0 ? a.actorLoss / a.losses : NaN, critic: a.losses > 0 ? a.criticLoss / a.losses : NaN },
      extra: {
        policyLoss: perSample(s.policyLoss),
        entropy: perSample(s.entropy),
        approxKl: perSample(s.approxKl),
        clipFraction: perSample(s.clipFraction),
        valueLoss: a.losses > 0 ? s.valueLoss / a.losses : NaN,
        explainedVariance: this.explainedVariance,
        meanLogStd,
        steps: this.steps,
        rollouts: this.rollouts,
      },
    };
    a.actorLoss = a.criticLoss = a.losses = a.samples = 0;
    s.policyLoss = s.entropy = s.approxKl = s.clipFraction = s.valueLoss = 0;
    return stats;
  }

  state(): PpoState {
    const p = this.pending;
    return {
      kind: 'ppo',
      config: structuredClone(this.config),
      actor: this.actor.state(),
      critic: this.critic.state(),
      logStd: this.logStd.slice(),
      logStdOptimizer: this.logStdOptimizer.state(),
      rollout: this.rollout.state(),
      rng: this.rng.state(),
      observationStatistics: this.observationNormalizer?.statistics.state() ?? null,
      rewardNormalizer: this.rewardNormalizer?.state() ?? null,
      steps: this.steps,
      rollouts: this.rollouts,
      pending: { valid: p.valid, raw: p.raw.slice(), normalized: p.normalized.slice(), action: p.action.slice(), logProb: p.logProb, value: p.value },
      accumulators: { ...this.accumulators, stats: { ...this.stats } },
    };
  }

  restore(state: unknown): void {
    const s = state as PpoState;
    if (s?.kind !== 'ppo') throw new PlasticdError('state_mismatch', `PpoAgent.restore: expected a 'ppo' state, got ${String((s as { kind?: unknown })?.kind)}.`);
    this.actor.restore(s.actor);
    this.critic.restore(s.critic);
    this.logStd.set(s.logStd);
    this.logStdOptimizer.restore(s.logStdOptimizer);
    this.rollout.restore(s.rollout);
    this.rng.restore(s.rng);
    if (this.observationNormalizer && s.observationStatistics) this.observationNormalizer.statistics.restore(s.observationStatistics);
    if (this.rewardNormalizer && s.rewardNormalizer) this.rewardNormalizer.restore(s.rewardNormalizer);
    this.steps = s.steps;
    this.rollouts = s.rollouts;
    const p = this.pending;
    p.valid = s.pending.valid;
    p.raw.set(s.pending.raw);
    p.normalized.set(s.pending.normalized);
    p.action.set(s.pending.action);
    p.logProb = s.pending.logProb;
    p.value = s.pending.value;
    const { stats, ...accumulators } = s.accumulators;
    Object.assign(this.accumulators, accumulators);
    Object.assign(this.stats, stats);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
  }
}

/** In place: (x − mean)/(std + 1e-8), std with Bessel's correction like torch's .std(). */
function standardize(values: Float32Array): void {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / Math.max(1, n - 1));
  for (let i = 0; i < n; i++) values[i] = (values[i] - mean) / (std + 1e-8);
}

/** 1 − Var(returns − values)/Var(returns): how much of the return the critic explains (NaN if returns are constant). */
function explainedVariance(values: Float32Array, returns: Float32Array): number {
  const n = values.length;
  let meanReturn = 0;
  let meanError = 0;
  for (let i = 0; i < n; i++) {
    meanReturn += returns[i];
    meanError += returns[i] - values[i];
  }
  meanReturn /= n;
  meanError /= n;
  let varReturn = 0;
  let varError = 0;
  for (let i = 0; i < n; i++) {
    varReturn += (returns[i] - meanReturn) ** 2;
    varError += (returns[i] - values[i] - meanError) ** 2;
  }
  return varReturn === 0 ? NaN : 1 - varError / varReturn;
}

/** Multiplies the output layer's weights and biases (current and initial) by `scale`: CleanRL's small policy head. */
function scaleOutputLayer(network: Network, scale: number): void {
  if (scale === 1) return;
  const state = network.state();
  const layers = network.layerWeights();
  const output = layers[layers.length - 1].name;
  for (const record of [state.parameters, state.initialParameters]) {
    for (const role of ['weight', 'bias']) {
      const values = record[`${output}.${role}`];
      if (!values) throw new PlasticdError('nn_state_mismatch', `PPO: the actor has no parameter "${output}.${role}" to scale.`);
      for (let i = 0; i < values.length; i++) values[i] *= scale;
    }
  }
  network.restore(state);
}
