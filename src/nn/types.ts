/**
 * The contracts between the network core (src/nn), the agents and the plasticity monitor.
 * See ../shared/DESIGN.md ("Network", "StepTrace") and ../shared/algorithms.md §1–2.
 *
 * Layer indexing: hidden layers are numbered 0..H-1 in forward order; the output layer is not a
 * hidden layer and is never reset. "Outgoing weights" of hidden unit i in layer l are column i of
 * the next layer's weight matrix (the next hidden layer, or the output layer for the last one).
 */
import type { RngState } from '../util/rng.ts';

export type Activation = 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid' | 'elu' | 'gelu' | 'swish' | 'linear';

export type Initializer =
  | 'he_uniform'
  | 'he_normal'
  | 'lecun_uniform'
  | 'lecun_normal'
  | 'xavier_uniform'
  | 'xavier_normal'
  /** PyTorch's nn.Linear default: weights and biases U(±1/√fan_in). */
  | 'torch_default';

export interface HiddenLayerSpec {
  /** Defaults to `hidden{index}`. */
  name?: string;
  units: number;
  activation: Activation;
  /** LayerNorm after the affine map, before the activation. */
  layerNorm?: boolean;
  /** Dropout probability applied to the post-activation in training steps (0 = off). */
  dropout?: number;
  /** Defaults to the network's `init`. */
  init?: Initializer;
}

export interface NetworkSpec {
  /** Used in metric labels and events, e.g. `q`, `actor`, `critic`, `model`. */
  name: string;
  inputSize: number;
  hidden: HiddenLayerSpec[];
  outputSize: number;
  /** Activation on the output layer; default linear. */
  outputActivation?: Activation;
  /** Default initialiser for every layer. */
  init?: Initializer;
  seed: number;
}

/**
 * Per-unit statistics of one hidden layer in one training step, computed inside the same
 * forward/backward pass that trains the network. `stats` is one Float32Array holding
 * TRACE_STATS.length rows of `units` values each (row r = TRACE_STATS[r]); `row(stat)` is a view.
 * Gradients are of the *per-sample* loss ℓ(x) with respect to the unit's post-activation a(x),
 * i.e. batch size × the gradient of the batch-mean loss.
 */
export const TRACE_STATS = [
  /** mean_x |a_i(x)| */
  'meanAbsActivation',
  /** mean_x a_i(x) */
  'meanActivation',
  /** fraction of samples with a_i(x) > 0 */
  'fractionActive',
  /** mean_x |∂ℓ/∂a_i(x)| */
  'meanAbsGradient',
  /** GXD-L: mean_x |∂ℓ/∂a_i(x) · (a_i(x) − r_i)| */
  'gxd',
  /** mean_x ∂ℓ/∂a_i(x) · (a_i(x) − r_i), a diagnostic (negative: a reset is predicted to lower the loss) */
  'gxdSigned',
  /** mean_x |a_i(x) − r_i| (CBP's adaptable contribution uses it with r = running mean) */
  'meanAbsDifference',
  /** mean_k |W_next[k, i]| after the update */
  'meanAbsOutgoingWeight',
  /** mean_j |W[i, j]| after the update */
  'meanAbsIncomingWeight',
] as const;

export type TraceStat = (typeof TRACE_STATS)[number];

export interface LayerTrace {
  index: number;
  name: string;
  units: number;
  stats: Float32Array;
  row(stat: TraceStat): Float32Array;
}

export interface StepTrace {
  network: string;
  /** The network's update counter after this step (1 for the first step). */
  step: number;
  batchSize: number;
  /** Batch-mean loss of this step (before the update). */
  loss: number;
  /** Global L2 norm of the parameter gradient. */
  gradNorm: number;
  /** Global L2 norm of the parameter update the optimizer applied. */
  updateNorm: number;
  layers: LayerTrace[];
}

export interface ReinitializeOptions {
  /** Outgoing weights of the reset units: set to zero (default, the new units do not disturb the function) or redrawn. */
  outgoing?: 'zero' | 'redraw';
  /**
   * Bias transfer: per reset unit, the reference activation ā_i (same order as `units`). The next
   * layer's bias gets W_next[:, i]·ā_i before the outgoing column is zeroed, so the function changes
   * by W_next[:, i]·(ā_i − a_i(x)). Omit for no transfer (change −W_next[:, i]·a_i(x)).
   */
  biasTransfer?: ArrayLike<number>;
}

/** Plain-data snapshot of a layer's parameters. */
export interface LayerWeights {
  name: string;
  /** Shape [fanOut, fanIn], row-major: row i holds unit i's incoming weights. */
  weight: Float32Array;
  bias: Float32Array;
  fanIn: number;
  fanOut: number;
  layerNormGain?: Float32Array;
  layerNormBias?: Float32Array;
}

export interface NetworkState {
  formatVersion: 1;
  spec: NetworkSpec;
  /** Current parameters of every layer (hidden layers then output), each a plain typed array. */
  parameters: Record<string, Float32Array>;
  /** Parameters at initialisation (for L2-Init, drift and Wasserstein-to-init). */
  initialParameters: Record<string, Float32Array>;
  optimizer: unknown;
  rng: RngState;
  updates: number;
}

/**
 * A loss on the network output, written in plain JS so it works with every engine: given the
 * output rows (row-major [batchSize × outputSize]) it returns the batch-mean loss and writes
 * ∂loss/∂output into `gradient` (same layout, zero-filled on entry). The tfjs engine reads the
 * output back, calls this, and continues its hand-written backward pass from `gradient`.
 * For the ObGD optimizer (streaming RL) the "loss" is the function whose gradient feeds the
 * eligibility trace (e.g. V(s), or log π(a|s) plus an entropy bonus); see `TrainStepInput.signal`.
 */
export type OutputLoss = (output: Float32Array, batchSize: number, gradient: Float32Array) => number;

export interface HiddenLayerInfo {
  index: number;
  name: string;
  units: number;
  activation: Activation;
}

export interface TrainStepInput {
  /** Row-major [batchSize × inputSize]. */
  input: Float32Array;
  batchSize: number;
  /** The batch-mean loss and its output gradient (see `OutputLoss`). */
  loss: OutputLoss;
  /**
   * A scalar handed to the optimizer with this step: the TD error δ for ObGD (θ ← θ + α·δ·z,
   * Elsayed, Vasan & Mahmood 2024, arXiv 2410.14606); ignored by SGD and Adam.
   */
  signal?: number;
  /** Per hidden layer, the GXD reference r (length = units); null or missing means r = 0. */
  references?: ReadonlyArray<Float32Array | null>;
}

/**
 * What agents and the monitor need from a network. Implemented by src/nn/network.ts.
 * All typed arrays handed out are copies the caller owns.
 */
export interface Network {
  readonly name: string;
  readonly spec: NetworkSpec;
  readonly hiddenLayers: readonly HiddenLayerInfo[];
  /** Optimizer updates applied so far. */
  readonly updates: number;
  /** Output for a batch, row-major [batchSize × outputSize]. */
  predict(input: Float32Array, batchSize: number): Float32Array;
  /** Output and every hidden layer's post-activations (each row-major [batchSize × units]). */
  forwardWithActivations(input: Float32Array, batchSize: number): { output: Float32Array; activations: Float32Array[] };
  /** One forward + backward + optimizer update; the per-unit statistics come from the same pass. */
  trainStep(args: TrainStepInput): StepTrace;
  /** Batch-mean loss without updating anything. */
  evaluateLoss(input: Float32Array, batchSize: number, loss: OutputLoss): number;
  /**
   * GXD-F (algorithms.md §2.1): backpropagates a fresh random output direction v ~ N(0, I) per
   * sample and returns, per hidden layer, u_i = sqrt(mean_x (v·∂f/∂a_i(x) · (a_i(x) − r_i))²).
   */
  outputGxd(input: Float32Array, batchSize: number, references?: ReadonlyArray<Float32Array | null>): Float32Array[];
  reinitializeUnits(layer: number, units: ArrayLike<number>, options?: ReinitializeOptions): void;
  /** Total number of parameters. */
  readonly parameterCount: number;
  /**
   * Batch-mean loss and its gradient with respect to every parameter, flattened in the order of
   * `layerWeights()` (per layer: weight row-major [fanOut × fanIn], bias, then LayerNorm gain and
   * bias). Updates nothing. The monitor builds Jacobian rows from it (curvature, §3.9).
   */
  parameterGradient(input: Float32Array, batchSize: number, loss: OutputLoss): { loss: number; gradient: Float32Array };
  /** Sets the optimizer's learning rate (schedules, annealing). */
  setLearningRate(learningRate: number): void;
  /** Zeroes the optimizer's eligibility traces (ObGD, at episode ends); a no-op for other optimizers. */
  resetEligibilityTraces(): void;
  /** Current parameters per layer (hidden layers, then the output layer). */
  layerWeights(): LayerWeights[];
  /** Parameters at initialisation, same layout. */
  initialLayerWeights(): LayerWeights[];
  state(): NetworkState;
  restore(state: NetworkState): void;
  /** An independent deep copy (parameters, optimizer state, RNG), e.g. for the reset audit. */
  clone(): Network;
  /**
   * Makes this network an exact copy of `source` (parameters, initial parameters, optimizer state and
   * config, regularizers, RNG, update count), reusing this network's buffers where it can: the
   * monitor's scratch copy is re-synchronised this way every window instead of being cloned anew.
   * `source` must have the same spec.
   */
  copyFrom(source: Network): void;
  dispose(): void;
}
