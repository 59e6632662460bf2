/**
 * Continual learner for supervised streams (bit-flipping regression, permuted MNIST, random labels):
 * one network, `model`, trained online on each example as it arrives — the learner of Dohare et al.,
 * "Loss of plasticity in deep continual learning", Nature 2024 (arXiv 2306.13812),
 * `shibhansh/loss-of-plasticity: lop/algos/bp.py` driven by the `expr.py` of each benchmark. The online loss (and,
 * for classification, accuracy) of each batch is measured BEFORE the update on it, like the reference.
 * Resets are not the agent's business: every update goes through `hooks.onTrace`, where the monitor
 * may reinitialise units between two updates, and `hooks.references('model')` supplies its GXD reference.
 *
 * Mapping onto the Agent contract (a stream has no actions or rewards): `act(x)` is the prediction
 * for x, and `observe(t)` learns from one example read as `{observation: input, nextObservation:
 * target}` (the stream "answers" with the target; reward and flags are ignored). Run loops for
 * streams call `learn(batch)` directly, which takes a stream batch as it comes (`StreamBatch` fits).
 */
import type { Agent, AgentHooks, AgentStats, SupervisedExample, Transition } from './agent.ts';
import { NO_HOOKS } from './agent.ts';
import { createNetwork, meanSquaredError, softmaxCrossEntropy } from '../src/nn/index.ts';
import type { OptimizerConfig, RegularizerConfig } from '../src/nn/index.ts';
import type { Activation, Initializer, Network, NetworkState, OutputLoss } from '../src/nn/types.ts';
import { PlasticdError } from '../src/util/errors.ts';

// ── Hyperparameters ────────────────────────────────────────────────────────────────────────────
export interface ContinualConfig {
  /** 'regression' (MSE loss) or 'classification' (softmax cross-entropy; accuracy is tracked). Default 'regression'. */
  task: 'regression' | 'classification';
  /** Input width. Required. */
  inputSize: number;
  /** Output width (regression targets, or the number of classes). Required. */
  outputSize: number;
  /** Units per hidden layer. Default [5] (the bit-flipping learner); permuted MNIST uses [100, 100, 100] or [2000 ×3]. */
  hiddenUnits: number[];
  /** Hidden activation. Default 'relu'. */
  activation: Activation;
  /** Hidden-layer initialiser (also used to redraw reset units). Default 'he_uniform' (Kaiming-uniform, ReLU gain). */
  hiddenInit: Initializer;
  /** Output-layer initialiser. Default 'lecun_uniform' (Kaiming-uniform with the linear gain, as the reference). */
  outputInit: Initializer;
  /** Optimizer. Default plain SGD, step 0.01 (bit-flipping); permuted MNIST uses 0.003. `weightDecay` is torch's coupled L2. */
  optimizer: OptimizerConfig;
  /** Regularizers from src/nn (L2 Init, Shrink & Perturb noise, …). Default none. */
  regularizers: RegularizerConfig;
  /** Network engine. Default 'typed' (the fast typed-array engine). */
  engine: 'typed' | 'tfjs';
  /** Seeds the network's initial weights and its surgery draws. Default 0. */
  seed: number;
}

export const DEFAULT_CONTINUAL_CONFIG: Omit<ContinualConfig, 'inputSize' | 'outputSize'> = {
  task: 'regression',
  hiddenUnits: [5],
  activation: 'relu',
  hiddenInit: 'he_uniform',
  outputInit: 'lecun_uniform',
  optimizer: { kind: 'sgd', learningRate: 0.01 },
  regularizers: {},
  engine: 'typed',
  seed: 0,
};

/** Rows of examples; a stream's `StreamBatch` fits as it is. */
export interface SupervisedBatch {
  /** Row-major [n × inputSize]. */
  inputs: Float32Array;
  /** Row-major [n × outputSize]: regression targets, or one-hot rows. */
  targets: Float32Array;
  /** Class indices (classification); when absent the one-hot `targets` are used. */
  labels?: Int32Array;
}

/** What one `learn` call measured before its update. The object is reused: read it before the next call. */
export interface LearnResult {
  /** Batch-mean loss before the update. */
  loss: number;
  /** Examples whose arg-max prediction matched the label (classification; 0 for regression). */
  correct: number;
  batchSize: number;
}

export interface ContinualState {
  formatVersion: 1;
  config: ContinualConfig;
  model: NetworkState;
  examples: number;
  pending: { lossSum: number; updates: number; correct: number; examples: number };
}

// ── The agent ──────────────────────────────────────────────────────────────────────────────────
export class ContinualAgent implements Agent<Float32Array, Float32Array> {
  readonly kind = 'continual';
  readonly config: Readonly<ContinualConfig>;
  private readonly model: Network;
  /** Examples learned from since creation. */
  private examples = 0;
  /** Accumulators for `takeStats`, since its last call. */
  private pending = { lossSum: 0, updates: 0, correct: 0, examples: 0 };
  private readonly result: LearnResult = { loss: NaN, correct: 0, batchSize: 0 };
  /** The loss is rebuilt only when the batch buffers change (streams reuse theirs), so a step allocates nothing. */
  private lossTargets: Float32Array | Int32Array | null = null;
  private innerLoss: OutputLoss | null = null;
  private labels: Int32Array | null = null;
  private correctInStep = 0;
  /** One-example buffers for `learnExample` / `observe`. */
  private readonly single: Required<SupervisedBatch>;

  constructor(
    config: Partial<ContinualConfig> & Pick<ContinualConfig, 'inputSize' | 'outputSize'>,
    private readonly hooks: AgentHooks = NO_HOOKS,
  ) {
    this.config = resolveConfig(config);
    const { task, inputSize, outputSize, hiddenUnits, activation, hiddenInit, outputInit, seed } = this.config;
    // ── The network: input → hidden layers → linear output (logits for classification).
    this.model = createNetwork(
      {
        name: 'model',
        inputSize,
        hidden: hiddenUnits.map((units) => ({ units, activation, init: hiddenInit })),
        outputSize,
        init: outputInit,
        seed,
      },
      { engine: this.config.engine, optimizer: this.config.optimizer, regularizers: this.config.regularizers },
    );
    this.single = { inputs: new Float32Array(inputSize), targets: new Float32Array(outputSize), labels: new Int32Array(1) };
    if (task === 'classification' && outputSize < 2) {
      throw new PlasticdError('invalid_agent_config', `A classification learner needs outputSize ≥ 2 classes, got ${outputSize}.`);
    }
  }

  // ── act: the prediction ─────────────────────────────────────────────────────────────────────
  act(observation: Float32Array): Float32Array {
    return this.model.predict(observation, this.batchSizeOf(observation));
  }

  // ── observe: one example through the contract (nextObservation carries the target) ──────────
  observe(transition: Transition<Float32Array, Float32Array>): void {
    this.learnExample({ input: transition.observation, target: transition.nextObservation });
  }

  /** Learns from one labelled example (copied into a reused one-row batch). */
  learnExample(example: SupervisedExample): LearnResult {
    const { inputs, targets, labels } = this.single;
    inputs.set(example.input);
    targets.set(example.target);
    labels[0] = example.label ?? argMax(example.target, 0, targets.length);
    return this.learn(this.single);
  }

  // ── learn: measure before the update, then one optimizer step, then report it ───────────────
  /** One optimizer update on the whole batch; loss and accuracy are those of the network before it. */
  learn(batch: SupervisedBatch): LearnResult {
    const batchSize = this.batchSizeOf(batch.inputs);
    if (batch.targets.length !== batchSize * this.config.outputSize) {
      throw new PlasticdError(
        'invalid_batch',
        `A batch of ${batchSize} inputs needs ${batchSize * this.config.outputSize} targets (outputSize ${this.config.outputSize}), got ${batch.targets.length}.`,
      );
    }
    this.prepareLoss(batch);
    this.correctInStep = 0;
    const trace = this.model.trainStep({
      input: batch.inputs,
      batchSize,
      loss: this.measuredLoss,
      references: this.hooks.references(this.model.name) ?? undefined,
    });
    this.hooks.onTrace(trace);

    this.examples += batchSize;
    this.pending.lossSum += trace.loss;
    this.pending.updates += 1;
    this.pending.correct += this.correctInStep;
    this.pending.examples += batchSize;
    this.result.loss = trace.loss;
    this.result.correct = this.correctInStep;
    this.result.batchSize = batchSize;
    return this.result;
  }

  /** The loss handed to trainStep: counts correct arg-max predictions on the pre-update output, then the real loss. */
  private readonly measuredLoss: OutputLoss = (output, batchSize, gradient) => {
    if (this.labels !== null) {
      const classes = this.config.outputSize;
      for (let b = 0; b < batchSize; b++) if (argMax(output, b * classes, classes) === this.labels[b]) this.correctInStep++;
    }
    return this.innerLoss!(output, batchSize, gradient);
  };

  private prepareLoss(batch: SupervisedBatch): void {
    if (this.config.task === 'regression') {
      this.labels = null;
      if (this.lossTargets !== batch.targets) {
        this.lossTargets = batch.targets;
        this.innerLoss = meanSquaredError(batch.targets);
      }
      return;
    }
    const labels = batch.labels ?? labelsFromOneHot(batch.targets, this.config.outputSize);
    this.labels = labels;
    if (this.lossTargets !== labels) {
      this.lossTargets = labels;
      this.innerLoss = softmaxCrossEntropy(labels);
    }
  }

  private batchSizeOf(inputs: Float32Array): number {
    const n = inputs.length / this.config.inputSize;
    if (!Number.isInteger(n) || n < 1) {
      throw new PlasticdError('invalid_batch', `Inputs of ${inputs.length} values are not whole rows of inputSize ${this.config.inputSize}.`);
    }
    return n;
  }

  // ── Contract plumbing ───────────────────────────────────────────────────────────────────────
  networks(): Record<string, Network> {
    return { model: this.model };
  }

  /** Examples learned from since creation. */
  get examplesSeen(): number {
    return this.examples;
  }

  takeStats(): AgentStats {
    const { lossSum, updates, correct, examples } = this.pending;
    const extra: Record<string, number> = { examples: this.examples };
    if (this.config.task === 'classification') extra.accuracy = examples > 0 ? correct / examples : NaN;
    this.pending = { lossSum: 0, updates: 0, correct: 0, examples: 0 };
    return { updates: { model: this.model.updates }, meanLoss: { model: updates > 0 ? lossSum / updates : NaN }, extra };
  }

  state(): ContinualState {
    return {
      formatVersion: 1,
      config: structuredClone(this.config) as ContinualConfig,
      model: this.model.state(),
      examples: this.examples,
      pending: { ...this.pending },
    };
  }

  restore(state: unknown): void {
    const saved = state as ContinualState;
    if (saved?.formatVersion !== 1 || saved.model === undefined) {
      throw new PlasticdError('invalid_agent_state', 'Not a continual-learner state (expected formatVersion 1 with a model).');
    }
    if (JSON.stringify(saved.config) !== JSON.stringify(this.config)) {
      throw new PlasticdError('agent_state_mismatch', 'The saved continual-learner config differs from this agent’s; build the agent with the saved config.');
    }
    this.model.restore(saved.model);
    this.examples = saved.examples;
    this.pending = { ...saved.pending };
  }

  dispose(): void {
    this.model.dispose();
  }
}

function resolveConfig(config: Partial<ContinualConfig> & Pick<ContinualConfig, 'inputSize' | 'outputSize'>): ContinualConfig {
  const full: ContinualConfig = { ...DEFAULT_CONTINUAL_CONFIG, ...config };
  const positive = (value: number) => Number.isInteger(value) && value >= 1;
  if (!positive(full.inputSize) || !positive(full.outputSize)) {
    throw new PlasticdError('invalid_agent_config', `inputSize and outputSize must be positive integers, got ${full.inputSize} and ${full.outputSize}.`);
  }
  if (full.hiddenUnits.length === 0 || !full.hiddenUnits.every(positive)) {
    throw new PlasticdError('invalid_agent_config', `hiddenUnits must list at least one positive integer width, got ${JSON.stringify(full.hiddenUnits)}.`);
  }
  if (full.task !== 'regression' && full.task !== 'classification') {
    throw new PlasticdError('invalid_agent_config', `task must be 'regression' or 'classification', got '${full.task}'.`);
  }
  return full;
}

function argMax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

function labelsFromOneHot(targets: Float32Array, classes: number): Int32Array {
  const labels = new Int32Array(targets.length / classes);
  for (let b = 0; b < labels.length; b++) labels[b] = argMax(targets, b * classes, classes);
  return labels;
}
