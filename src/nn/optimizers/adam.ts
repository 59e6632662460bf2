/**
 * Adam (Kingma & Ba, arXiv:1412.6980) with a per-element step count, so that entries restarted by
 * a unit reset get their own bias correction (lop/utils/AdamGnT.py's idea, with the textbook update
 * rather than its buggy one, algorithms.md §2.2.6):
 *   t ← t+1; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε).
 * Weight decay is coupled L2 (torch.optim.Adam) or decoupled (AdamW, θ ← θ − lr·λ·θ).
 */
import * as tf from '@tensorflow/tfjs-core';
import { validateOptimizerConfig, type AdamConfig, type Optimizer } from './optimizer.ts';
import { SlotSet } from './state-slots.ts';

export class Adam implements Optimizer {
  private readonly settings: AdamConfig;
  private readonly state: SlotSet;

  constructor(
    config: AdamConfig,
    private readonly size: number,
  ) {
    validateOptimizerConfig(config);
    this.settings = { ...config };
    this.state = new SlotSet(size, ['m', 'v', 'step']);
  }

  get config(): Readonly<AdamConfig> {
    return this.settings;
  }

  setLearningRate(learningRate: number): void {
    validateOptimizerConfig({ ...this.settings, learningRate });
    this.settings.learningRate = learningRate;
  }

  step(gradient: tf.Tensor1D, parameters: tf.Tensor1D): tf.Tensor1D {
    const { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, decoupledWeightDecay = false } = this.settings;
    const g = weightDecay > 0 && !decoupledWeightDecay ? tf.add(gradient, tf.mul(parameters, weightDecay)) : gradient;
    const t = tf.add(this.state.get('step'), 1) as tf.Tensor1D;
    const m = tf.add(tf.mul(this.state.get('m'), beta1), tf.mul(g, 1 - beta1)) as tf.Tensor1D;
    const v = tf.add(tf.mul(this.state.get('v'), beta2), tf.mul(tf.square(g), 1 - beta2)) as tf.Tensor1D;
    this.state.set('step', t);
    this.state.set('m', m);
    this.state.set('v', v);
    // 1 − β^t as 1 − exp(t·ln β): elementwise exp is much cheaper than pow on the cpu backend (β = 0 gives exp(−∞) = 0).
    const correction1 = tf.sub(1, tf.exp(tf.mul(t, Math.log(beta1))));
    const correction2 = tf.sub(1, tf.exp(tf.mul(t, Math.log(beta2))));
    const denominator = tf.add(tf.sqrt(tf.div(v, correction2)), epsilon);
    let delta = tf.mul(tf.div(tf.div(m, correction1), denominator), learningRate) as tf.Tensor1D;
    if (weightDecay > 0 && decoupledWeightDecay) delta = tf.add(delta, tf.mul(parameters, learningRate * weightDecay));
    return delta;
  }

  resetEntries(keep: tf.Tensor1D): void {
    this.state.resetEntries(keep);
  }

  slots(): Record<string, Float32Array> {
    return this.state.read();
  }

  restoreSlots(slots: Record<string, ArrayLike<number>>): void {
    this.state.restore(slots);
  }

  clone(): Adam {
    const copy = new Adam(this.settings, this.size);
    copy.state.copyFrom(this.state);
    return copy;
  }

  dispose(): void {
    this.state.dispose();
  }
}
