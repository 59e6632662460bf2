/**
 * Stream AC(λ): an actor-critic that learns from every transition as it arrives — batch size one,
 * no replay buffer, no target network — from Elsayed, Vasan & Mahmood, "Streaming Deep
 * Reinforcement Learning Finally Works" (2024, arXiv 2410.14606), following their reference code
 * (mohmdelsayed/streaming-drl: stream_ac_continuous.py and its discrete twin): ObGD with per-weight
 * eligibility traces and an overshooting bound, LayerNorm + leaky ReLU MLPs with sparse
 * initialisation, online observation normalisation and reward scaling owned by the agent.
 * Deliberate deviations: truncation (time limit) bootstraps from s' (the reference treats it as
 * terminal and appends a time feature instead); our LayerNorm has a learnable gain and bias (the
 * reference's F.layer_norm has none; both start as the identity); continuous actions are clipped to
 * the action space in `act` (the reference's ClipAction wrapper) while the log-probability uses the
 * unclipped sample.
 */
import { z } from 'zod';
import type { Agent, AgentHooks, AgentStats, Transition } from './agent.ts';
import { NO_HOOKS } from './agent.ts';
import { gaussianEntropy, gaussianLogProb, sampleCategorical, sampleGaussian, softmaxRow } from './distributions.ts';
import { StreamObservationNormalizer, type SampleMeanStdState } from './observation-normalizer.ts';
import { StreamRewardScaler, type RewardScalerState } from './reward-scaler.ts';
import { createNetwork, type NetworkEngine } from '../src/nn/index.ts';
import type { ObgdConfig } from '../src/nn/optimizers/optimizer.ts';
import type { Network, NetworkSpec, NetworkState, OutputLoss } from '../src/nn/types.ts';
import { Box, Discrete, type Space } from '../envs/spaces.ts';
import { PlasticdError } from '../src/util/errors.ts';
import { Rng, type RngState } from '../src/util/rng.ts';

// ── Hyperparameters (defaults: the reference code's) ───────────────────────────────────────────
export const streamAcConfigSchema = z
  .object({
    /** ObGD step size α; the overshooting bound shrinks it per update when needed. */
    learningRate: z.number().positive().default(1.0),
    /** Discount γ (also the decay of the reward scaler's return trace). */
    gamma: z.number().min(0).max(1).default(0.99),
    /** Eligibility-trace decay λ; traces decay by γλ per step and reset at episode ends. */
    lambda: z.number().min(0).max(1).default(0.8),
    /** ObGD overshooting bound κ of the actor. */
    kappaPolicy: z.number().positive().default(3.0),
    /** ObGD overshooting bound κ of the critic. */
    kappaValue: z.number().positive().default(2.0),
    /** Entropy bonus, applied in the direction of sign(δ) as in the reference code. */
    entropyCoefficient: z.number().min(0).default(0.01),
    /** Units of each hidden layer (actor and critic alike). */
    hiddenUnits: z.array(z.number().int().positive()).min(1).default([128, 128]),
    /** Fraction of each unit's incoming weights set to zero at initialisation (sparse_init). */
    sparsity: z.number().min(0).lt(1).default(0.9),
    /** Normalise observations online (running mean/variance, the reference's SampleMeanStd). */
    normalizeObservations: z.boolean().default(true),
    /** Divide rewards by the running std of the discounted return (the reference's ScaleReward). */
    scaleRewards: z.boolean().default(true),
  })
  .strict();

export type StreamAcConfig = z.infer<typeof streamAcConfigSchema>;
export type StreamAcConfigInput = z.input<typeof streamAcConfigSchema>;

export type StreamAcAction = number | Float32Array;

export interface StreamAcOptions {
  observationSpace: Space<unknown>;
  /** `Discrete` (categorical policy) or a float `Box` (Gaussian policy, std = softplus of a head). */
  actionSpace: Space<unknown>;
  config?: StreamAcConfigInput;
  seed: number;
  hooks?: AgentHooks;
  /** Network engine; default 'auto'. */
  engine?: NetworkEngine;
}

export interface StreamAcState {
  formatVersion: 1;
  kind: 'stream-ac';
  config: StreamAcConfig;
  networks: { actor: NetworkState; critic: NetworkState };
  rng: RngState;
  observationNormalizer: SampleMeanStdState;
  rewardScaler: RewardScalerState;
  observationCache: { current: CachedObservation; pending: CachedObservation };
  sampledAction: Float32Array;
  clippedAction: Float32Array;
  accumulators: Float64Array;
}

interface CachedObservation {
  raw: Float32Array;
  normalized: Float32Array;
  valid: boolean;
}

const HIDDEN_ACTIVATION = 'leaky_relu';

export class StreamAcAgent implements Agent<Float32Array, StreamAcAction> {
  readonly kind = 'stream-ac';
  readonly config: StreamAcConfig;
  readonly actor: Network;
  readonly critic: Network;
  private readonly hooks: AgentHooks;
  private readonly rng: Rng;
  private readonly observationSize: number;
  /** Number of discrete actions, or 0 for a continuous (Box) action space. */
  private readonly actionCount: number;
  private readonly actionDimensions: number;
  private readonly actionLow: Float64Array | null;
  private readonly actionHigh: Float64Array | null;
  private readonly observations: StreamObservationNormalizer;
  private readonly rewards: StreamRewardScaler;
  private current: CachedObservation;
  private pending: CachedObservation;
  private readonly criticInput: Float32Array;
  private readonly sampledAction: Float32Array;
  private readonly clippedAction: Float32Array;
  private readonly scratch: Float64Array;
  // The policy objective reads these (set just before the actor's trainStep).
  private objectiveAction: ArrayLike<number>;
  private readonly discreteAction = new Float32Array(1);
  private objectiveSign = 0;
  /** [log π(a|s), H(π(·|s))] of the last policy update. */
  private readonly objectiveParts = new Float64Array(2);
  /** Since the last takeStats: [updates, Σ ½δ², Σ −δ·log π, Σ |δ|, Σ entropy]. */
  private readonly accumulators = new Float64Array(5);

  constructor(options: StreamAcOptions) {
    this.config = streamAcConfigSchema.parse(options.config ?? {});
    this.hooks = options.hooks ?? NO_HOOKS;
    this.rng = new Rng(options.seed);
    const { observationSpace, actionSpace } = options;
    if (!(observationSpace instanceof Box) || observationSpace.shape.length !== 1) {
      throw new PlasticdError('agent_unsupported_space', `stream-ac needs a flat Box observation space, got ${describeSpace(observationSpace)}.`);
    }
    this.observationSize = observationSpace.shape[0];
    if (actionSpace instanceof Discrete) {
      this.actionCount = actionSpace.n;
      this.actionDimensions = 1;
      this.actionLow = this.actionHigh = null;
    } else if (actionSpace instanceof Box && actionSpace.shape.length === 1) {
      this.actionCount = 0;
      this.actionDimensions = actionSpace.shape[0];
      this.actionLow = actionSpace.low;
      this.actionHigh = actionSpace.high;
    } else {
      throw new PlasticdError('agent_unsupported_space', `stream-ac needs a Discrete or flat Box action space, got ${describeSpace(actionSpace)}.`);
    }
    // Categorical: one logit per action; Gaussian: means, then pre-softplus stds (two heads in one layer).
    const policyOutputs = this.actionCount > 0 ? this.actionCount : 2 * this.actionDimensions;
    const engine = options.engine ?? 'auto';
    this.actor = this.buildNetwork('actor', policyOutputs, this.config.kappaPolicy, engine);
    this.critic = this.buildNetwork('critic', 1, this.config.kappaValue, engine);

    this.observations = new StreamObservationNormalizer(this.observationSize, { enabled: this.config.normalizeObservations });
    this.rewards = new StreamRewardScaler({ gamma: this.config.gamma, enabled: this.config.scaleRewards });
    this.current = emptyObservation(this.observationSize);
    this.pending = emptyObservation(this.observationSize);
    this.criticInput = new Float32Array(2 * this.observationSize);
    this.sampledAction = new Float32Array(this.actionDimensions);
    this.clippedAction = new Float32Array(this.actionDimensions);
    this.scratch = new Float64Array(Math.max(this.actionCount, 2 * this.actionDimensions));
    this.objectiveAction = this.sampledAction;
  }

  // ── Networks: LayerNorm + leaky-ReLU MLPs, sparse init, one ObGD optimizer each ─────────────
  private buildNetwork(name: 'actor' | 'critic', outputSize: number, kappa: number, engine: NetworkEngine): Network {
    const spec: NetworkSpec = {
      name,
      inputSize: this.observationSize,
      hidden: this.config.hiddenUnits.map((units) => ({ units, activation: HIDDEN_ACTIVATION, layerNorm: true })),
      outputSize,
      // U(±1/√fan_in), the scale of the reference's sparse_init; biases are zeroed below.
      init: 'torch_default',
      seed: this.rng.int(0x7fffffff),
    };
    const optimizer: ObgdConfig = {
      kind: 'obgd',
      learningRate: this.config.learningRate,
      gamma: this.config.gamma,
      lambda: this.config.lambda,
      kappa,
    };
    const network = createNetwork(spec, { engine, optimizer });
    sparsifyInitialWeights(network, this.config.sparsity, this.rng);
    return network;
  }

  networks(): Record<string, Network> {
    return { actor: this.actor, critic: this.critic };
  }

  // ── Act: sample from π(·|s) with the agent's Rng ────────────────────────────────────────────
  act(observation: Float32Array): StreamAcAction {
    const state = this.normalizedObservation(observation);
    const output = this.actor.predict(state, 1);
    if (this.actionCount > 0) {
      const action = sampleCategorical(output, 0, this.actionCount, this.rng);
      this.sampledAction[0] = this.clippedAction[0] = action;
      return action;
    }
    const logStd = this.scratch;
    for (let d = 0; d < this.actionDimensions; d++) logStd[d] = Math.log(softplus(output[this.actionDimensions + d]));
    sampleGaussian(output, 0, logStd, this.actionDimensions, this.rng, this.sampledAction);
    for (let d = 0; d < this.actionDimensions; d++) {
      this.clippedAction[d] = Math.min(this.actionHigh![d], Math.max(this.actionLow![d], this.sampledAction[d]));
    }
    return this.clippedAction.slice();
  }

  // ── Observe: one TD(λ) update of the critic and one policy-gradient update of the actor ─────
  observe(transition: Transition<Float32Array, StreamAcAction>): void {
    const { terminated, truncated } = transition;
    const done = terminated || truncated;
    const state = this.normalizedObservation(transition.observation);
    const nextState = this.pending;
    this.observations.observe(transition.nextObservation, nextState.normalized);
    nextState.raw.set(transition.nextObservation);
    nextState.valid = !done; // after an episode end the next act() sees a reset observation
    const reward = this.rewards.scale(transition.reward, done);

    // δ = r + γ(1 − terminated)·V(s') − V(s), both values before either update.
    this.criticInput.set(state, 0);
    this.criticInput.set(nextState.normalized, this.observationSize);
    const values = this.critic.predict(this.criticInput, 2);
    const tdError = reward + this.config.gamma * (terminated ? 0 : 1) * values[1] - values[0];

    // Actor first, then critic, as the reference; each optimizer keeps its own trace and bound.
    if (this.actionCount > 0) {
      this.discreteAction[0] = transition.action as number;
      this.objectiveAction = this.discreteAction;
    } else {
      this.objectiveAction = this.unclippedAction(transition.action as Float32Array);
    }
    this.objectiveSign = Math.sign(tdError);
    const actorTrace = this.actor.trainStep({ input: state, batchSize: 1, loss: this.policyObjective, signal: tdError, references: this.hooks.references('actor') });
    this.hooks.onTrace(actorTrace);
    const criticTrace = this.critic.trainStep({ input: state, batchSize: 1, loss: stateValue, signal: tdError, references: this.hooks.references('critic') });
    this.hooks.onTrace(criticTrace);

    if (done) {
      this.actor.resetEligibilityTraces();
      this.critic.resetEligibilityTraces();
    }
    const stats = this.accumulators;
    stats[0] += 1;
    stats[1] += 0.5 * tdError * tdError;
    stats[2] += -tdError * this.objectiveParts[0];
    stats[3] += Math.abs(tdError);
    stats[4] += this.objectiveParts[1];
  }

  /**
   * The function whose gradient feeds the actor's trace: log π(a|s) + c·sign(δ)·H(π(·|s)). ObGD
   * then steps α·δ·z, so this step's entropy gradient enters as c·|δ|·∇H (entropy always pushed
   * up) — the reference's `-(log_prob) - c·H·sign(δ)` with its descent sign folded in.
   */
  private readonly policyObjective: OutputLoss = (output, _batchSize, gradient) => {
    const entropyWeight = this.config.entropyCoefficient * this.objectiveSign;
    const value =
      this.actionCount > 0
        ? categoricalPolicyObjective(output, this.actionCount, this.objectiveAction[0], entropyWeight, gradient, this.scratch, this.objectiveParts)
        : gaussianPolicyObjective(output, this.actionDimensions, this.objectiveAction, entropyWeight, gradient, this.scratch, this.objectiveParts);
    return value;
  };

  /** The sampled (unclipped) action when `action` is what act() returned after clipping. */
  private unclippedAction(action: Float32Array): Float32Array {
    for (let d = 0; d < this.actionDimensions; d++) if (action[d] !== this.clippedAction[d]) return action;
    return this.sampledAction;
  }

  /**
   * Each observation updates the normaliser exactly once, like the reference's wrapper: s' is
   * normalised in observe() and reused when act() and the next observe() see it again as s.
   */
  private normalizedObservation(observation: Float32Array): Float32Array {
    if (this.current.valid && sameValues(this.current.raw, observation)) return this.current.normalized;
    if (this.pending.valid && sameValues(this.pending.raw, observation)) {
      [this.current, this.pending] = [this.pending, this.current];
      this.pending.valid = false;
      return this.current.normalized;
    }
    this.observations.observe(observation, this.current.normalized);
    this.current.raw.set(observation);
    this.current.valid = true;
    return this.current.normalized;
  }

  takeStats(): AgentStats {
    const [updates, valueLoss, policyLoss, absTdError, entropy] = this.accumulators;
    this.accumulators.fill(0);
    const mean = (sum: number) => (updates > 0 ? sum / updates : Number.NaN);
    return {
      updates: { actor: this.actor.updates, critic: this.critic.updates },
      meanLoss: { actor: mean(policyLoss), critic: mean(valueLoss) },
      extra: { meanAbsTdError: mean(absTdError), policyEntropy: mean(entropy) },
    };
  }

  // ── Checkpoints ──────────────────────────────────────────────────────────────────────────────
  state(): StreamAcState {
    return {
      formatVersion: 1,
      kind: 'stream-ac',
      config: structuredClone(this.config),
      networks: { actor: this.actor.state(), critic: this.critic.state() },
      rng: this.rng.state(),
      observationNormalizer: this.observations.state(),
      rewardScaler: this.rewards.state(),
      observationCache: { current: copyObservation(this.current), pending: copyObservation(this.pending) },
      sampledAction: this.sampledAction.slice(),
      clippedAction: this.clippedAction.slice(),
      accumulators: this.accumulators.slice(),
    };
  }

  restore(value: unknown): void {
    const state = value as Partial<StreamAcState> | null;
    if (!state || state.kind !== 'stream-ac' || state.formatVersion !== 1 || !state.networks) {
      throw new PlasticdError('agent_state_mismatch', 'stream-ac: expected a state written by StreamAcAgent.state() (kind "stream-ac", formatVersion 1).');
    }
    if (JSON.stringify(state.config) !== JSON.stringify(this.config)) {
      throw new PlasticdError('agent_state_mismatch', `stream-ac: the checkpoint was written with config ${JSON.stringify(state.config)}, this agent has ${JSON.stringify(this.config)}.`);
    }
    this.actor.restore(state.networks.actor);
    this.critic.restore(state.networks.critic);
    this.rng.restore(state.rng!);
    this.observations.restore(state.observationNormalizer!);
    this.rewards.restore(state.rewardScaler!);
    restoreObservation(this.current, state.observationCache!.current);
    restoreObservation(this.pending, state.observationCache!.pending);
    this.sampledAction.set(state.sampledAction!);
    this.clippedAction.set(state.clippedAction!);
    this.accumulators.set(state.accumulators!);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
  }
}

export function createStreamAcAgent(options: StreamAcOptions): StreamAcAgent {
  return new StreamAcAgent(options);
}

/**
 * Categorical policy objective F = log π(a) + w·H over one logits row; writes ∂F/∂logits into
 * `gradient` and [log π(a), H] into `parts`. `probabilities` is scratch of at least n entries.
 */
export function categoricalPolicyObjective(
  logits: ArrayLike<number>,
  n: number,
  action: number,
  entropyWeight: number,
  gradient: Float32Array,
  probabilities: Float64Array,
  parts: Float64Array,
): number {
  const logZ = softmaxRow(logits, 0, n, probabilities);
  let entropy = 0;
  for (let k = 0; k < n; k++) if (probabilities[k] > 0) entropy -= probabilities[k] * (logits[k] - logZ);
  for (let k = 0; k < n; k++) {
    const p = probabilities[k];
    // ∂log π(a)/∂l_k = 1[k = a] − p_k;  ∂H/∂l_k = −p_k (log p_k + H).
    gradient[k] = (k === action ? 1 : 0) - p - entropyWeight * p * (logits[k] - logZ + entropy);
  }
  parts[0] = logits[action] - logZ;
  parts[1] = entropy;
  return parts[0] + entropyWeight * entropy;
}

/**
 * Gaussian policy objective F = Σ_d log N(a_d; μ_d, σ_d) + w·H with σ = softplus(u), the output
 * row being [μ (dimensions), u (dimensions)]; writes ∂F/∂output into `gradient` and
 * [log π(a), H] into `parts`. `logStd` is scratch of at least `dimensions` entries.
 */
export function gaussianPolicyObjective(
  output: ArrayLike<number>,
  dimensions: number,
  action: ArrayLike<number>,
  entropyWeight: number,
  gradient: Float32Array,
  logStd: Float64Array,
  parts: Float64Array,
): number {
  for (let d = 0; d < dimensions; d++) {
    const preStd = output[dimensions + d];
    const std = softplus(preStd);
    logStd[d] = Math.log(std);
    const z = (action[d] - output[d]) / std;
    // ∂log N/∂μ = z/σ; ∂log N/∂log σ = z² − 1; ∂H/∂log σ = 1; ∂log σ/∂u = sigmoid(u)/σ.
    gradient[d] = z / std;
    gradient[dimensions + d] = ((z * z - 1 + entropyWeight) * sigmoid(preStd)) / std;
  }
  parts[0] = gaussianLogProb(action, 0, output, 0, logStd, dimensions);
  parts[1] = gaussianEntropy(logStd, dimensions);
  return parts[0] + entropyWeight * parts[1];
}

/** The critic's "loss": V(s) itself, whose gradient (∂V/∂θ) feeds the critic's trace. */
const stateValue: OutputLoss = (output, _batchSize, gradient) => {
  gradient[0] = 1;
  return output[0];
};

/**
 * The reference's sparse_init, applied after construction through state()/restore(): per unit,
 * ⌈sparsity·fan_in⌉ incoming weights (chosen by a random permutation) set to zero, every bias
 * zero; the rest keep the U(±1/√fan_in) draw. Output layer included. The initial parameters are
 * rewritten too, so drift and L2-Init measure from the sparse start. Units reset later by the
 * monitor are redrawn densely by the network's own initialiser.
 */
export function sparsifyInitialWeights(network: Network, sparsity: number, rng: Rng): void {
  if (sparsity <= 0) return;
  const state = network.state();
  for (const layer of network.layerWeights()) {
    const zerosPerUnit = Math.ceil(sparsity * layer.fanIn);
    const weights = [state.parameters[`${layer.name}.weight`], state.initialParameters[`${layer.name}.weight`]];
    const biases = [state.parameters[`${layer.name}.bias`], state.initialParameters[`${layer.name}.bias`]];
    if (weights.some((w) => !w) || biases.some((b) => !b)) {
      throw new PlasticdError('nn_state_mismatch', `sparse init: layer "${layer.name}" has no weight/bias entries in Network.state().`);
    }
    const order = new Int32Array(layer.fanIn);
    for (let unit = 0; unit < layer.fanOut; unit++) {
      rng.permutation(layer.fanIn, order);
      for (let k = 0; k < zerosPerUnit; k++) for (const w of weights) w[unit * layer.fanIn + order[k]] = 0;
    }
    for (const b of biases) b.fill(0);
  }
  network.restore(state);
}

function describeSpace(space: Space<unknown>): string {
  return `${space?.constructor?.name ?? typeof space} with shape [${space?.shape?.join(', ') ?? ''}]`;
}

function softplus(x: number): number {
  // torch.nn.functional.softplus (β = 1, threshold 20).
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function sameValues(a: Float32Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function emptyObservation(size: number): CachedObservation {
  return { raw: new Float32Array(size), normalized: new Float32Array(size), valid: false };
}

function copyObservation(o: CachedObservation): CachedObservation {
  return { raw: o.raw.slice(), normalized: o.normalized.slice(), valid: o.valid };
}

function restoreObservation(target: CachedObservation, saved: CachedObservation): void {
  target.raw.set(saved.raw);
  target.normalized.set(saved.normalized);
  target.valid = saved.valid;
}
