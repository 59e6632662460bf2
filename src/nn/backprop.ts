/**
 * The dense network's forward pass and a hand-written backward pass. Autodiff (tf.grads) records
 * and clones every intermediate and needs probe tensors to expose ∂ℓ/∂a; for a plain MLP the
 * backward pass is a few matMuls per layer, and ∂ℓ/∂a of each hidden layer falls out of it for free
 * (it is the gradient arriving from the layer above, times the dropout mask). Only the user's loss
 * goes through tfjs autodiff, on the output alone. Kernels are [fanIn × fanOut]; transposes are
 * folded into the matMul flags.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, activationDerivative, isFusable } from './activations.ts';
import { layerNormBackward, layerNormForward, type LayerNormForward } from './layer-norm.ts';
import type { Activation } from './types.ts';

export interface LayerParameters {
  kernel: tf.Tensor2D;
  bias: tf.Tensor;
  gain?: tf.Tensor;
  shift?: tf.Tensor;
  activation: Activation;
}

export interface LayerCache {
  input: tf.Tensor2D;
  /** Pre-activation (after LayerNorm), null when the activation was fused (relu/linear without LayerNorm). */
  preActivation: tf.Tensor2D | null;
  norm: LayerNormForward | null;
  /** Post-activation, before dropout. */
  output: tf.Tensor2D;
}

export interface ForwardResult {
  output: tf.Tensor2D;
  /** Per hidden layer, the post-activation before dropout. */
  activations: tf.Tensor2D[];
  caches: LayerCache[];
}

/** `dropout[l]`: multiplier (0 or 1/(1−p)) for hidden layer l, or null. */
export function forwardPass(layers: readonly LayerParameters[], input: tf.Tensor2D, dropout?: readonly (tf.Tensor | null)[]): ForwardResult {
  const caches: LayerCache[] = [];
  const activations: tf.Tensor2D[] = [];
  let x = input;
  for (let l = 0; l < layers.length; l++) {
    const { kernel, bias, gain, shift, activation } = layers[l];
    let preActivation: tf.Tensor2D | null = null;
    let norm: LayerNormForward | null = null;
    let output: tf.Tensor2D;
    if (gain && shift) {
      norm = layerNormForward(tf.fused.matMul({ a: x, b: kernel, bias }) as tf.Tensor2D, gain, shift);
      preActivation = norm.y;
      output = activate(preActivation, activation);
    } else if (isFusable(activation)) {
      output = tf.fused.matMul({ a: x, b: kernel, bias, activation }) as tf.Tensor2D;
    } else {
      preActivation = tf.fused.matMul({ a: x, b: kernel, bias }) as tf.Tensor2D;
      output = activate(preActivation, activation);
    }
    caches.push({ input: x, preActivation, norm, output });
    if (l === layers.length - 1) return { output, activations, caches };
    activations.push(output);
    const mask = dropout?.[l];
    x = mask ? (tf.mul(output, mask) as tf.Tensor2D) : output;
  }
  throw new Error('unreachable: a network has an output layer');
}

export interface BackwardResult {
  /** Per layer [dKernel, dBias, (dGain, dShift)], in layer order; empty when not requested. */
  parameterGradients: tf.Tensor[][];
  /** Per hidden layer ∂L/∂a (before dropout) for the scalar L whose output gradient was given. */
  activationGradients: tf.Tensor2D[];
}

export function backwardPass(
  layers: readonly LayerParameters[],
  forward: ForwardResult,
  outputGradient: tf.Tensor2D,
  options: { dropout?: readonly (tf.Tensor | null)[]; parameterGradients: boolean },
): BackwardResult {
  const last = layers.length - 1;
  const parameterGradients: tf.Tensor[][] = new Array(options.parameterGradients ? layers.length : 0);
  const activationGradients: tf.Tensor2D[] = new Array(last);
  let da = outputGradient;
  for (let l = last; l >= 0; l--) {
    const layer = layers[l];
    const cache = forward.caches[l];
    if (l < last) {
      const mask = options.dropout?.[l];
      if (mask) da = tf.mul(da, mask) as tf.Tensor2D;
      activationGradients[l] = da;
      // Layers below only need the parameter gradients when asked.
      if (!options.parameterGradients && l === 0) break;
    }
    const derivative = activationDerivative(layer.activation, cache.preActivation ?? cache.output, cache.output);
    let dz = derivative ? (tf.mul(da, derivative) as tf.Tensor2D) : da;
    let normGradients: tf.Tensor[] = [];
    if (cache.norm) {
      const { dz: dzNorm, dGain, dBias } = layerNormBackward(dz, cache.norm, layer.gain!);
      dz = dzNorm;
      normGradients = [dGain, dBias];
    }
    if (options.parameterGradients) {
      parameterGradients[l] = [tf.matMul(cache.input, dz, true, false), batchSum(dz), ...normGradients];
    }
    if (l > 0) da = tf.matMul(dz, layer.kernel, false, true);
  }
  return { parameterGradients, activationGradients };
}

/** From this many elements, wasm's Sum over axis 0 (transpose, then sum) loses to the product. */
const WASM_BATCH_SUM_PRODUCT_MIN = 32768;

/**
 * Σ over the batch (axis 0) of [B, n]: a reshape for one row; on the JS cpu backends (a strided
 * loop, 10× slower: 614 vs 66 µs for 32×256) and for large wasm inputs (294 vs 125 µs for 256×256)
 * a [1 × B]·[B × n] product; else tf.sum.
 */
export function batchSum(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, columns] = x.shape;
  if (rows === 1) return tf.reshape(x, [columns]);
  const backend = tf.getBackend();
  const product = backend === 'cpu' || backend === 'cpu-blas' || (backend === 'wasm' && rows * columns >= WASM_BATCH_SUM_PRODUCT_MIN);
  return product ? tf.reshape(tf.matMul(tf.ones([1, rows]), x), [columns]) : tf.sum(x, 0);
}
