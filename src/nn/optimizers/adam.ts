/**
 * Adam (Kingma & Ba, arXiv:1412.6980) with a per-element step count t, so that entries restarted by
 * a unit reset get their own bias correction (lop/utils/AdamGnT.py's idea, with the textbook update
 * rather than its buggy one, algorithms.md §2.2.6):
 *   m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε).
 * Deviation, for speed: β^t is kept per element as a running power, p ← p·β + 2^-60 in float32
 * (p = 1 after a reset), instead of pow/exp from t every step (Exp costs ~5× a multiply on wasm,
 * Pow ~30×). The 2^-60 keeps p out of the subnormal range (12× slower multiplies on x86, measured)
 * and vanishes next to any p that matters (1 − p rounds to 1 below ~3e-8). p is a pure function
 * of t (`adamPowers` replays the float32 recurrence), so a restore needs only the state's m, v
 * and step and continues bit for bit (the powers are also written, for inspection). t costs
 * nothing per step: it is the step counter minus the step of each entry's last reset.
 * Weight decay is coupled L2 (torch.optim.Adam) or decoupled (AdamW, θ ← θ − lr·λ·θ).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../../util/errors.ts';
import { clipGradientNorm } from './clip.ts';
import { validateOptimizerConfig, type AdamConfig, type Optimizer } from './optimizer.ts';
import { SlotSet } from './state-slots.ts';

/** Added to the running powers β^t each step: p stays normal in float32, and 1 − 2^-60 rounds to 1. */
export const ADAM_POWER_FLOOR = 2 ** -60;

export class Adam implements Optimizer {
  private readonly settings: AdamConfig;
  private readonly state: SlotSet;
  /** Steps taken since construction (or since the restored snapshot's oldest entry). */
  private count = 0;
  /** Per element, `count` when it was last reset: t = count − resetAt (exact below 2^24). */
  private resetAt: tf.Tensor1D;

  constructor(
    config: AdamConfig,
    private readonly size: number,
  ) {
    validateOptimizerConfig(config);
    this.settings = { ...config };
    this.state = new SlotSet(size, ['m', 'v', { name: 'beta1Power', initial: 1 }, { name: 'beta2Power', initial: 1 }]);
    this.resetAt = tf.keep(tf.zeros([size]));
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
    const withDecay = weightDecay > 0 && !decoupledWeightDecay ? tf.add(gradient, tf.mul(parameters, weightDecay)) : gradient;
    const g = clipGradientNorm(withDecay as tf.Tensor1D, this.settings.maxGradNorm);
    const m = tf.add(tf.mul(this.state.get('m'), beta1), tf.mul(g, 1 - beta1)) as tf.Tensor1D;
    const v = tf.add(tf.mul(this.state.get('v'), beta2), tf.mul(tf.square(g), 1 - beta2)) as tf.Tensor1D;
    // + floor rather than max(·, floor): wasm's Maximum has no XNNPACK path (4× an Add).
    const power1 = tf.add(tf.mul(this.state.get('beta1Power'), beta1), ADAM_POWER_FLOOR) as tf.Tensor1D;
    const power2 = tf.add(tf.mul(this.state.get('beta2Power'), beta2), ADAM_POWER_FLOOR) as tf.Tensor1D;
    this.state.set('m', m);
    this.state.set('v', v);
    this.state.set('beta1Power', power1);
    this.state.set('beta2Power', power2);
    this.count += 1;
    const denominator = tf.add(tf.sqrt(tf.div(v, tf.sub(1, power2))), epsilon);
    let delta = tf.mul(tf.div(tf.div(m, tf.sub(1, power1)), denominator), learningRate) as tf.Tensor1D;
    if (weightDecay > 0 && decoupledWeightDecay) delta = tf.add(delta, tf.mul(parameters, learningRate * weightDecay));
    return delta;
  }

  resetEntries(keep: tf.Tensor1D): void {
    this.state.resetEntries(keep);
    // resetAt ← keep ? resetAt : count, as (resetAt − count)·keep + count.
    const next = tf.tidy(() => tf.add(tf.mul(tf.sub(this.resetAt, this.count), keep), this.count) as tf.Tensor1D);
    this.resetAt.dispose();
    this.resetAt = tf.keep(next);
  }

  /**
   * m, v, step (per-element step count t), and beta1Power/beta2Power (β^t as used, for
   * inspection: a restore recomputes them from step, so snapshots without them restore alike).
   */
  slots(): Record<string, Float32Array> {
    const { m, v, beta1Power, beta2Power } = this.state.read();
    const step = Float32Array.from(this.resetAt.dataSync(), (at) => this.count - at);
    return { m, v, step, beta1Power, beta2Power };
  }

  restoreSlots(slots: Record<string, ArrayLike<number>>): void {
    const step = slots.step;
    if (step === undefined || step.length !== this.size) {
      throw new PlasticdError('nn_state_mismatch', `Optimizer state "step" is missing or has the wrong length (expected ${this.size}).`);
    }
    const { beta1 = 0.9, beta2 = 0.999 } = this.settings;
    this.state.restore({ ...slots, beta1Power: adamPowers(beta1, step), beta2Power: adamPowers(beta2, step) });
    let count = 0;
    for (let i = 0; i < step.length; i++) count = Math.max(count, step[i]);
    this.count = count;
    this.resetAt.dispose();
    this.resetAt = tf.keep(tf.tensor1d(Float32Array.from(step, (t) => count - t)));
  }

  clone(): Adam {
    const copy = new Adam(this.settings, this.size);
    copy.state.copyFrom(this.state);
    copy.count = this.count;
    copy.resetAt.dispose();
    copy.resetAt = tf.keep(tf.clone(this.resetAt));
    return copy;
  }

  dispose(): void {
    this.state.dispose();
    this.resetAt.dispose();
  }
}

/**
 * β^t per entry of `steps` exactly as `Adam.step` computes it in float32: p_0 = 1,
 * p_t = fl(fl(p_{t−1}·fl(β)) + 2^-60) (each tfjs op rounds once, on every backend with IEEE float32).
 * The sequence is monotone, so it becomes constant after a finite number of steps; the loop stops there.
 */
export function adamPowers(beta: number, steps: ArrayLike<number>): Float32Array {
  let last = 0;
  for (let i = 0; i < steps.length; i++) last = Math.max(last, steps[i]);
  const b = Math.fround(beta);
  const table: number[] = [1];
  for (let t = 1; t <= last; t++) {
    const previous = table[t - 1];
    const next = Math.fround(Math.fround(previous * b) + ADAM_POWER_FLOOR);
    if (next === previous) break;
    table.push(next);
  }
  const tail = table[table.length - 1];
  return Float32Array.from(steps, (t) => table[Math.max(0, Math.round(t))] ?? tail);
}
