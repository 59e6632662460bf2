/**
 * Batch-mean losses for `TrainStepInput.loss`. All are plain tfjs ops that have gradients on the
 * wasm backend too: no tf.gather (its gradient needs UnsortedSegmentSum, missing on wasm), so
 * Q(s, a) is selected with a one-hot mask (ecosystem.md §1.4).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Mean over every element of (prediction − target)², like torch.nn.MSELoss. */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(prediction, target));
}

/** Huber (smooth L1) loss, mean over elements: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond. */
export function huberLoss(prediction: tf.Tensor, target: tf.Tensor, delta = 1): tf.Scalar {
  const error = tf.abs(tf.sub(prediction, target));
  const quadratic = tf.minimum(error, delta);
  const linear = tf.sub(error, quadratic);
  return tf.mean(tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(linear, delta)));
}

/** Mean over the batch of −Σ_c y_c log softmax(logits)_c; `labels` are one-hot (or any distribution) rows. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** Row-wise Σ_c q[b, c]·oneHot[b, c]: picks Q(s_b, a_b) with a one-hot mask → shape [batch]. */
export function selectByMask(q: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(q, oneHot), 1);
}

/** A one-hot [n × depth] Float32Array for integer indices, to build `selectByMask` masks and labels. */
export function oneHotRows(indices: ArrayLike<number>, depth: number): Float32Array {
  const out = new Float32Array(indices.length * depth);
  for (let b = 0; b < indices.length; b++) out[b * depth + indices[b]] = 1;
  return out;
}
