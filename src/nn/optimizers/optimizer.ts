/**
 * Optimizers with per-element state over the network's flat parameter vector. We write our own
 * because tfjs's Adam keeps one step count per tensor, which makes a per-unit reset impossible
 * (algorithms.md §2.2.6); here every moment and step count is a tensor shaped like the parameters,
 * so a unit reset can restart exactly the entries it touched.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../../util/errors.ts';

export interface SgdConfig {
  kind: 'sgd';
  learningRate: number;
  /** Heavy-ball momentum as in torch.optim.SGD (no dampening); default 0. */
  momentum?: number;
  /** Coupled L2: λθ is added to the gradient; default 0. */
  weightDecay?: number;
  /** Rescale the whole gradient to this L2 norm when it is longer (torch clip_grad_norm_; SB3 DQN uses 10); default none. */
  maxGradNorm?: number;
}

export interface AdamConfig {
  kind: 'adam';
  learningRate: number;
  /** Default 0.9. β1 = β2 = 0.99 gives the "non-stationary Adam" of Dohare et al.'s PPO runs. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8 (added to √v̂, as in torch). */
  epsilon?: number;
  /** Default 0. Coupled L2 (added to the gradient) unless `decoupledWeightDecay`. */
  weightDecay?: number;
  /** AdamW-style: θ ← θ − lr·λ·θ besides the Adam step; default false. */
  decoupledWeightDecay?: boolean;
  /** Rescale the whole gradient to this L2 norm when it is longer (torch clip_grad_norm_; SB3 DQN uses 10); default none. */
  maxGradNorm?: number;
}

/**
 * ObGD, overshooting-bounded gradient descent with eligibility traces (Elsayed, Vasan & Mahmood
 * 2024, arXiv 2410.14606): z ← γλ·z + g; θ ← θ + α_eff·δ·z with α_eff = α / max(α·κ·max(|δ|, 1)·‖z‖₁, 1),
 * δ the step's `signal` (TD error) and g the gradient of the step's "loss" (e.g. V(s)).
 */
export interface ObgdConfig {
  kind: 'obgd';
  /** α; the paper uses 1.0. */
  learningRate: number;
  /** Default 0.99. */
  gamma?: number;
  /** Default 0.8. */
  lambda?: number;
  /** Default 2 (the paper's critic; 3 for the actor). */
  kappa?: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig | ObgdConfig;

export const DEFAULT_OPTIMIZER: AdamConfig = { kind: 'adam', learningRate: 1e-3 };

export interface Optimizer {
  readonly config: Readonly<OptimizerConfig>;
  setLearningRate(learningRate: number): void;
  /**
   * Call inside a tf.tidy. Returns Δ such that θ ← θ − Δ, and advances the internal state.
   * `gradient` already includes the regularizers' terms. `signal` is the step's TD error (ObGD only).
   */
  step(gradient: tf.Tensor1D, parameters: tf.Tensor1D, signal?: number): tf.Tensor1D;
  /** Zeroes eligibility traces (ObGD); absent for optimizers without them. */
  resetEligibilityTraces?(): void;
  /** Zeroes every state entry (moments and step counts) where `keep` is 0; `keep` is 0/1. */
  resetEntries(keep: tf.Tensor1D): void;
  /** Flat copies of every state tensor, by slot name (e.g. m, v, step). */
  slots(): Record<string, Float32Array>;
  restoreSlots(slots: Record<string, ArrayLike<number>>): void;
  clone(): Optimizer;
  dispose(): void;
}

export function validateOptimizerConfig(config: OptimizerConfig): void {
  const bad = (what: string): never => {
    throw new PlasticdError('nn_invalid_optimizer', `Optimizer ${config.kind}: ${what}.`);
  };
  if (!(config.learningRate >= 0) || !Number.isFinite(config.learningRate)) bad(`learningRate must be a finite number ≥ 0, got ${config.learningRate}`);
  if (config.kind !== 'obgd' && !((config.weightDecay ?? 0) >= 0)) bad(`weightDecay must be ≥ 0, got ${config.weightDecay}`);
  if (config.kind !== 'obgd' && config.maxGradNorm !== undefined && !(config.maxGradNorm > 0)) bad(`maxGradNorm must be > 0, got ${config.maxGradNorm}`);
  if (config.kind === 'sgd') {
    const momentum = config.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) bad(`momentum must be in [0, 1), got ${momentum}`);
  } else if (config.kind === 'adam') {
    for (const key of ['beta1', 'beta2'] as const) {
      const beta = config[key];
      if (beta !== undefined && !(beta >= 0 && beta < 1)) bad(`${key} must be in [0, 1), got ${beta}`);
    }
    if (config.epsilon !== undefined && !(config.epsilon > 0)) bad(`epsilon must be > 0, got ${config.epsilon}`);
  } else if (config.kind === 'obgd') {
    for (const key of ['gamma', 'lambda'] as const) {
      const value = config[key];
      if (value !== undefined && !(value >= 0 && value <= 1)) bad(`${key} must be in [0, 1], got ${value}`);
    }
    if (config.kappa !== undefined && !(config.kappa > 0)) bad(`kappa must be > 0, got ${config.kappa}`);
  } else {
    bad(`unknown kind; expected "sgd", "adam" or "obgd"`);
  }
}

/**
 * The factor torch.nn.utils.clip_grad_norm_ multiplies the gradient by: min(1, max / (‖g‖ + 1e-6)),
 * 1 when `maxGradNorm` is unset. `sumOfSquares` is ‖g‖² over all parameters (after the regularizers' terms).
 */
export function gradientClipScale(sumOfSquares: number, maxGradNorm: number | undefined): number {
  if (maxGradNorm === undefined) return 1;
  return Math.min(1, maxGradNorm / (Math.sqrt(sumOfSquares) + 1e-6));
}
