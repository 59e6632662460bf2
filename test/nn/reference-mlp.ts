/**
 * A tiny float64 reference of the dense network, in plain JS, for gradient checks: forward pass
 * (with optional probes added to hidden post-activations, and dropout multipliers), the losses, and
 * central finite differences. Deliberately written from the maths, not from src/nn.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Activation, LayerWeights } from '../../src/nn/types.ts';
import type { Network } from '../../src/nn/types.ts';

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export interface RefLayer {
  weight: Float64Array; // [fanOut × fanIn]
  bias: Float64Array;
  fanIn: number;
  fanOut: number;
  activation: Activation;
  gain?: Float64Array;
  shift?: Float64Array;
}

export function referenceOf(net: Network, weights: LayerWeights[] = net.layerWeights()): RefLayer[] {
  const activations = [...net.hiddenLayers.map((h) => h.activation), net.spec.outputActivation ?? 'linear'];
  return weights.map((w, l) => ({
    weight: Float64Array.from(w.weight),
    bias: Float64Array.from(w.bias),
    fanIn: w.fanIn,
    fanOut: w.fanOut,
    activation: activations[l],
    gain: w.layerNormGain ? Float64Array.from(w.layerNormGain) : undefined,
    shift: w.layerNormBias ? Float64Array.from(w.layerNormBias) : undefined,
  }));
}

function erf(x: number): number {
  const s = Math.sign(x);
  const z = Math.abs(x);
  if (z < 2.5) {
    // Maclaurin series.
    let term = z;
    let sum = z;
    for (let n = 1; n < 80; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return (s * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc by its continued fraction.
  let t = z;
  for (let k = 80; k >= 1; k--) t = z + k / 2 / t;
  return s * (1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / t);
}

export function act64(activation: Activation, z: number): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leaky_relu':
      return z > 0 ? z : 0.01 * z;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'elu':
      return z > 0 ? z : Math.exp(z) - 1;
    case 'gelu':
      return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case 'swish':
      return z / (1 + Math.exp(-z));
    case 'linear':
      return z;
  }
}

export interface RefForward {
  output: Float64Array; // [B × outputSize]
  /** Hidden post-activations before probes and dropout. */
  activations: Float64Array[];
  /** Pre-activations (after the affine map, before LayerNorm) of every layer incl. output. */
  pre: Float64Array[];
}

export function forward64(
  layers: RefLayer[],
  x: ArrayLike<number>,
  batch: number,
  probes?: Float64Array[],
  dropout?: (Float32Array | null)[],
): RefForward {
  let input = Float64Array.from(x);
  const activations: Float64Array[] = [];
  const pre: Float64Array[] = [];
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const z = new Float64Array(batch * L.fanOut);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < L.fanOut; i++) {
        let s = L.bias[i];
        for (let j = 0; j < L.fanIn; j++) s += L.weight[i * L.fanIn + j] * input[b * L.fanIn + j];
        z[b * L.fanOut + i] = s;
      }
    }
    pre.push(z.slice());
    if (L.gain) {
      for (let b = 0; b < batch; b++) {
        let mean = 0;
        for (let i = 0; i < L.fanOut; i++) mean += z[b * L.fanOut + i];
        mean /= L.fanOut;
        let variance = 0;
        for (let i = 0; i < L.fanOut; i++) variance += (z[b * L.fanOut + i] - mean) ** 2;
        variance /= L.fanOut;
        for (let i = 0; i < L.fanOut; i++) {
          z[b * L.fanOut + i] = ((z[b * L.fanOut + i] - mean) / Math.sqrt(variance + 1e-5)) * L.gain[i] + L.shift![i];
        }
      }
    }
    const a = z.map((v) => act64(L.activation, v));
    if (l === layers.length - 1) return { output: a, activations, pre };
    activations.push(a.slice());
    if (probes) for (let k = 0; k < a.length; k++) a[k] += probes[l][k];
    const mask = dropout?.[l];
    if (mask) for (let k = 0; k < a.length; k++) a[k] *= mask[k];
    input = a;
  }
  throw new Error('unreachable');
}

export type Loss64 = (output: Float64Array) => number;

export function mse64(target: ArrayLike<number>): Loss64 {
  return (y) => {
    let s = 0;
    for (let k = 0; k < y.length; k++) s += (y[k] - target[k]) ** 2;
    return s / y.length;
  };
}

export function huber64(target: ArrayLike<number>, delta = 1): Loss64 {
  return (y) => {
    let s = 0;
    for (let k = 0; k < y.length; k++) {
      const e = Math.abs(y[k] - target[k]);
      s += e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
    }
    return s / y.length;
  };
}

export function softmaxCrossEntropy64(labels: ArrayLike<number>, classes: number): Loss64 {
  return (y) => {
    const batch = y.length / classes;
    let s = 0;
    for (let b = 0; b < batch; b++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, y[b * classes + c]);
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(y[b * classes + c] - max);
      for (let c = 0; c < classes; c++) s -= labels[b * classes + c] * (y[b * classes + c] - max - Math.log(z));
    }
    return s / batch;
  };
}

/** Mean squared error between Σ_c q·oneHot and the targets (DQN-style). */
export function selectedMse64(oneHot: ArrayLike<number>, targets: ArrayLike<number>, classes: number): Loss64 {
  return (y) => {
    let s = 0;
    for (let b = 0; b < targets.length; b++) {
      let q = 0;
      for (let c = 0; c < classes; c++) q += y[b * classes + c] * oneHot[b * classes + c];
      s += (q - targets[b]) ** 2;
    }
    return s / targets.length;
  };
}

/** Central finite difference of f at every entry of `values` (restored afterwards). */
export function finiteDifferences(values: Float64Array, f: () => number, h = 1e-6): Float64Array {
  const out = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    values[k] = v + h;
    const plus = f();
    values[k] = v - h;
    const minus = f();
    values[k] = v;
    out[k] = (plus - minus) / (2 * h);
  }
  return out;
}

export function randomArray(n: number, rng: { normal(mean?: number, std?: number): number }, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = rng.normal(0, std);
  return out;
}

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise, with a readable message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let k = 0; k < actual.length; k++) {
    const err = Math.abs(actual[k] - expected[k]);
    if (!(err <= atol + rtol * Math.abs(expected[k]))) {
      throw new Error(`${what}[${k}]: got ${actual[k]}, expected ${expected[k]} (|err| ${err.toExponential(2)})`);
    }
  }
}
