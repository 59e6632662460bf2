/**
 * ObGD for the tfjs engine (Elsayed, Vasan & Mahmood 2024, "Streaming Deep Reinforcement Learning
 * Finally Works", arXiv 2410.14606, Algorithm ObGD; reference class `ObGD` in
 * mohmdelsayed/streaming-drl, optim.py): per-element eligibility trace z ← γλ·z + g; with
 * δ̄ = max(|δ|, 1) and M = α·κ·δ̄·‖z‖₁ the step is θ ← θ + (α / max(M, 1))·δ·z. The reference feeds
 * the gradient of −V (or −log π) and subtracts; we feed the gradient of V (or log π) and add: the
 * same update. The trace is one state slot, so a unit reset clears it at exactly the touched entries.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../../util/errors.ts';
import type { RegularizerConfig } from '../regularizers.ts';
import { validateOptimizerConfig, type ObgdConfig, type Optimizer } from './optimizer.ts';

export const OBGD_TRACE_SLOT = 'eligibilityTrace';

export interface ObgdSettings {
  learningRate: number;
  gamma: number;
  lambda: number;
  kappa: number;
}

export function obgdSettings(config: ObgdConfig): ObgdSettings {
  return { learningRate: config.learningRate, gamma: config.gamma ?? 0.99, lambda: config.lambda ?? 0.8, kappa: config.kappa ?? 2 };
}

/** ObGD needs the TD error of every step. */
export function obgdSignal(signal: number | undefined): number {
  if (typeof signal !== 'number' || !Number.isFinite(signal)) {
    throw new PlasticdError('nn_bad_input', `The ObGD optimizer needs trainStep({ signal }) = the step's TD error δ (a finite number); got ${String(signal)}.`);
  }
  return signal;
}

/**
 * ObGD moves the parameters along the eligibility trace, not down a loss, so gradient-side
 * regularizers (l2, l2Init, wasserstein, gradientNoise) have no meaning with it; shrinkPerturb works.
 */
export function checkObgdRegularizers(kind: string, regularizers: RegularizerConfig): void {
  if (kind !== 'obgd') return;
  const bad = (['l2', 'l2Init', 'wasserstein', 'gradientNoise'] as const).filter((key) => regularizers[key] !== undefined);
  if (bad.length > 0) {
    throw new PlasticdError('nn_invalid_regularizer', `The ObGD optimizer cannot be combined with ${bad.join(', ')} (they act on a loss gradient, ObGD follows an eligibility trace); use shrinkPerturb or another optimizer.`);
  }
}

export class Obgd implements Optimizer {
  private readonly settings: ObgdConfig;
  private trace: tf.Tensor1D;

  constructor(
    config: ObgdConfig,
    private readonly size: number,
  ) {
    validateOptimizerConfig(config);
    this.settings = { ...config };
    this.trace = tf.keep(tf.zeros([size]));
  }

  get config(): Readonly<ObgdConfig> {
    return this.settings;
  }

  setLearningRate(learningRate: number): void {
    validateOptimizerConfig({ ...this.settings, learningRate });
    this.settings.learningRate = learningRate;
  }

  step(gradient: tf.Tensor1D, _parameters: tf.Tensor1D, signal?: number): tf.Tensor1D {
    const delta = obgdSignal(signal);
    const { learningRate, gamma, lambda, kappa } = obgdSettings(this.settings);
    const z = tf.add(tf.mul(this.trace, gamma * lambda), gradient) as tf.Tensor1D;
    this.replaceTrace(z);
    const bound = tf.mul(tf.sum(tf.abs(z)), learningRate * kappa * Math.max(Math.abs(delta), 1));
    const stepSize = tf.div(learningRate, tf.maximum(bound, 1));
    // θ ← θ − Δ with Δ = −α_eff·δ·z.
    return tf.mul(z, tf.mul(stepSize, -delta)) as tf.Tensor1D;
  }

  resetEntries(keep: tf.Tensor1D): void {
    this.replaceTrace(tf.tidy(() => tf.mul(this.trace, keep) as tf.Tensor1D));
  }

  resetEligibilityTraces(): void {
    this.replaceTrace(tf.zeros([this.size]));
  }

  slots(): Record<string, Float32Array> {
    return { [OBGD_TRACE_SLOT]: this.trace.dataSync().slice() as Float32Array };
  }

  restoreSlots(slots: Record<string, ArrayLike<number>>): void {
    const values = slots[OBGD_TRACE_SLOT];
    if (values === undefined || values.length !== this.size) {
      throw new PlasticdError('nn_state_mismatch', `Optimizer state "${OBGD_TRACE_SLOT}" is missing or has the wrong length (expected ${this.size}).`);
    }
    this.replaceTrace(tf.tensor1d(Float32Array.from(values)));
  }

  clone(): Obgd {
    const copy = new Obgd(this.settings, this.size);
    copy.replaceTrace(tf.clone(this.trace));
    return copy;
  }

  dispose(): void {
    this.trace.dispose();
  }

  private replaceTrace(next: tf.Tensor1D): void {
    const previous = this.trace;
    this.trace = tf.keep(next);
    if (previous !== next) previous.dispose();
  }
}
