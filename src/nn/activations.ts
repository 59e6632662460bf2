/**
 * Elementwise activations for dense layers, as tfjs ops with gradients on every backend.
 * Conventions follow PyTorch defaults: leaky ReLU slope 0.01, ELU α = 1, exact (erf) GELU,
 * swish = SiLU = x·σ(x).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './types.ts';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'swish', 'linear'];

export const LEAKY_RELU_SLOPE = 0.01;

/** Activations whose gradient tfjs's fused matMul kernel supports, so matMul+bias+activation is one op. */
export function isFusable(activation: Activation): activation is 'relu' | 'linear' {
  return activation === 'relu' || activation === 'linear';
}

export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, LEAKY_RELU_SLOPE);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'gelu':
      // 0.5·x·(1 + erf(x/√2)), PyTorch's default (not the tanh approximation).
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'linear':
      return x;
  }
}

/**
 * φ'(y) for the manual backward pass, from the pre-activation y and the output a = φ(y)
 * (whichever is cheaper). Returns null for linear (derivative 1).
 */
export function activationDerivative(activation: Activation, y: tf.Tensor, a: tf.Tensor): tf.Tensor | null {
  switch (activation) {
    case 'relu':
      return tf.step(a);
    case 'leaky_relu':
      return tf.step(y, LEAKY_RELU_SLOPE);
    case 'tanh':
      return tf.sub(1, tf.square(a));
    case 'sigmoid':
      return tf.mul(a, tf.sub(1, a));
    case 'elu':
      // 1 for y > 0, e^y = a + 1 otherwise.
      return tf.add(tf.minimum(a, 0), 1);
    case 'gelu':
      // Φ(y) + y·φ(y).
      return tf.add(
        tf.mul(tf.add(tf.erf(tf.mul(y, Math.SQRT1_2)), 1), 0.5),
        tf.mul(y, tf.mul(tf.exp(tf.mul(tf.square(y), -0.5)), 1 / Math.sqrt(2 * Math.PI))),
      );
    case 'swish': {
      // σ(y)·(1 + y·(1 − σ(y))).
      const s = tf.sigmoid(y);
      return tf.mul(s, tf.add(tf.mul(y, tf.sub(1, s)), 1));
    }
    case 'linear':
      return null;
  }
}
