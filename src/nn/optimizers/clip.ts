/**
 * Global-norm gradient clipping for the tfjs optimizers, as torch.nn.utils.clip_grad_norm_ (and the
 * typed optimizers' begin()): the gradient is rescaled by min(1, max / (‖g‖ + 1e-6)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gradientClipScale } from './optimizer.ts';

/** `gradient` rescaled by gradientClipScale (call inside a tf.tidy); the same tensor when `maxGradNorm` is unset. */
export function clipGradientNorm(gradient: tf.Tensor1D, maxGradNorm: number | undefined): tf.Tensor1D {
  if (maxGradNorm === undefined) return gradient;
  const scale = gradientClipScale(tf.sum(tf.square(gradient)).dataSync()[0], maxGradNorm);
  return scale < 1 ? tf.mul(gradient, scale) : gradient;
}
