/**
 * SGD with heavy-ball momentum and coupled L2, matching torch.optim.SGD (dampening 0, no Nesterov):
 * g ← g + λθ; b ← μ·b + g; θ ← θ − lr·b. A reset entry's buffer restarts at 0, which gives the
 * same first step as a fresh buffer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clipGradientNorm } from './clip.ts';
import { validateOptimizerConfig, type Optimizer, type SgdConfig } from './optimizer.ts';
import { SlotSet } from './state-slots.ts';

export class Sgd implements Optimizer {
  private readonly settings: SgdConfig;
  private readonly state: SlotSet;

  constructor(
    config: SgdConfig,
    private readonly size: number,
  ) {
    validateOptimizerConfig(config);
    this.settings = { ...config };
    this.state = new SlotSet(size, (config.momentum ?? 0) > 0 ? ['momentum'] : []);
  }

  get config(): Readonly<SgdConfig> {
    return this.settings;
  }

  setLearningRate(learningRate: number): void {
    validateOptimizerConfig({ ...this.settings, learningRate });
    this.settings.learningRate = learningRate;
  }

  step(gradient: tf.Tensor1D, parameters: tf.Tensor1D): tf.Tensor1D {
    const { learningRate, momentum = 0, weightDecay = 0 } = this.settings;
    let direction = clipGradientNorm((weightDecay > 0 ? tf.add(gradient, tf.mul(parameters, weightDecay)) : gradient) as tf.Tensor1D, this.settings.maxGradNorm);
    if (momentum > 0) {
      direction = tf.add(tf.mul(this.state.get('momentum'), momentum), direction) as tf.Tensor1D;
      this.state.set('momentum', direction);
    }
    return tf.mul(direction, learningRate);
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

  clone(): Sgd {
    const copy = new Sgd(this.settings, this.size);
    copy.state.copyFrom(this.state);
    return copy;
  }

  dispose(): void {
    this.state.dispose();
  }
}
