/**
 * LayerNorm over the units of one sample (Ba et al. 2016, arXiv:1607.06450), placed after the
 * affine map and before the activation; biased variance and ε = 1e-5 as in torch.nn.LayerNorm.
 * Forward keeps what the hand-written backward needs (normalised values and 1/σ per sample).
 */
import * as tf from '@tensorflow/tfjs-core';

export const LAYER_NORM_EPSILON = 1e-5;

export interface LayerNormForward {
  y: tf.Tensor2D;
  /** (z − μ)/σ, [B × units]. */
  normalised: tf.Tensor2D;
  /** 1/√(var + ε), [B × 1]. */
  inverseStd: tf.Tensor2D;
}

export function layerNormForward(z: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor): LayerNormForward {
  const centred = tf.sub(z, tf.mean(z, 1, true));
  const inverseStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), LAYER_NORM_EPSILON)) as tf.Tensor2D;
  const normalised = tf.mul(centred, inverseStd) as tf.Tensor2D;
  return { y: tf.add(tf.mul(normalised, gain), bias) as tf.Tensor2D, normalised, inverseStd };
}

/** Gradients of LayerNorm given dL/dy: dz = σ⁻¹·(ĝ − mean(ĝ) − n̂·mean(ĝ·n̂)) with ĝ = dy·gain. */
export function layerNormBackward(dy: tf.Tensor2D, forward: LayerNormForward, gain: tf.Tensor): { dz: tf.Tensor2D; dGain: tf.Tensor; dBias: tf.Tensor } {
  const { normalised, inverseStd } = forward;
  const dGain = tf.sum(tf.mul(dy, normalised), 0);
  const dBias = tf.sum(dy, 0);
  const g = tf.mul(dy, gain);
  const dz = tf.mul(tf.sub(tf.sub(g, tf.mean(g, 1, true)), tf.mul(normalised, tf.mean(tf.mul(g, normalised), 1, true))), inverseStd) as tf.Tensor2D;
  return { dz, dGain, dBias };
}
