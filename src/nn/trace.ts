/**
 * The per-unit statistics of a training step (StepTrace), computed as tensors inside the step's tidy
 * from the activations and probe gradients of the same forward/backward pass, packed with the loss,
 * gradient norm and update norm into ONE tensor, and decoded after a single readback.
 * Packed layout: [loss, gradNorm, updateNorm, 7 × N activation/gradient rows (TRACE_STATS[0..6],
 * N = all hidden units, layers side by side), then per layer meanAbsOutgoingWeight and meanAbsIncomingWeight].
 */
import * as tf from '@tensorflow/tfjs-core';
import { TRACE_STATS, type LayerTrace, type StepTrace, type TraceStat } from './types.ts';

const ACTIVATION_ROWS = 7;
/** From this many values per row (B × N), one mean product per row beats concatenating the rows (wasm). */
const ROWWISE_MEAN_MIN = 65536;

export interface TraceLayerInfo {
  index: number;
  name: string;
  units: number;
}

/**
 * Rows 0..6 of TRACE_STATS for all hidden layers at once: [1, 7N], row r in columns r·N..(r+1)·N.
 * `perSampleGradients` are ∂ℓ(x)/∂a(x) per layer; `references` is r for all N units or null (r = 0).
 */
export function activationStatistics(activations: tf.Tensor2D[], perSampleGradients: tf.Tensor2D[], references: tf.Tensor1D | null): tf.Tensor2D {
  const a = activations.length === 1 ? activations[0] : tf.concat(activations, 1);
  const g = perSampleGradients.length === 1 ? perSampleGradients[0] : tf.concat(perSampleGradients, 1);
  const magnitude = tf.abs(a);
  const difference = references ? tf.sub(a, references) : a;
  const attribution = tf.mul(g, difference);
  const rows = [magnitude, a, tf.step(a), tf.abs(g), tf.abs(attribution), attribution, references ? tf.abs(difference) : magnitude];
  const [batch, units] = a.shape;
  if (batch === 1) return tf.concat(rows, 1) as tf.Tensor2D;
  // The batch mean as [1 × B]·[B × …] products: a reduction over the leading axis would transpose
  // first. One product per row skips copying the rows side by side, which wins on the JS cpu
  // backends and for large rows on wasm (256×512: 1.9 vs 2.7 ms), not for small ones (32×512).
  const weights = tf.fill([1, batch], 1 / batch);
  const backend = tf.getBackend();
  if (backend === 'cpu' || backend === 'cpu-blas' || batch * units >= ROWWISE_MEAN_MIN) {
    const means = new Map<tf.Tensor, tf.Tensor>(); // |a| is also |a − r| without references
    return tf.concat(rows.map((row) => means.get(row) ?? means.set(row, tf.matMul(weights, row)).get(row)!), 1) as tf.Tensor2D;
  }
  return tf.matMul(weights, tf.concat(rows, 1));
}

/**
 * Rows 7 and 8 for every hidden layer from the kernels stored [fanIn × fanOut] (hidden layers, then
 * the output layer): per layer [meanAbsOutgoingWeight (units), meanAbsIncomingWeight (units)].
 */
export function weightStatistics(kernels: tf.Tensor2D[]): tf.Tensor[] {
  const magnitudes = kernels.map((k) => tf.abs(k));
  const rows: tf.Tensor[] = [];
  for (let l = 0; l + 1 < kernels.length; l++) {
    const fanIn = kernels[l].shape[0];
    rows.push(tf.mean(magnitudes[l + 1], 1));
    rows.push(tf.matMul(tf.fill([1, fanIn], 1 / fanIn), magnitudes[l]));
  }
  return rows;
}

export function packTrace(loss: tf.Scalar, gradNorm: tf.Scalar, updateNorm: tf.Scalar, activationRows: tf.Tensor | null, weightRows: tf.Tensor[]): tf.Tensor1D {
  const parts: tf.Tensor[] = [tf.stack([loss, gradNorm, updateNorm])];
  if (activationRows) parts.push(tf.reshape(activationRows, [-1]));
  for (const rows of weightRows) parts.push(tf.reshape(rows, [-1]));
  return tf.concat(parts) as tf.Tensor1D;
}

export function makeLayerTrace(index: number, name: string, units: number, stats: Float32Array): LayerTrace {
  return {
    index,
    name,
    units,
    stats,
    row(stat: TraceStat): Float32Array {
      const r = TRACE_STATS.indexOf(stat);
      return stats.subarray(r * units, (r + 1) * units);
    },
  };
}

export function decodeTrace(packed: Float32Array, network: string, step: number, batchSize: number, layers: readonly TraceLayerInfo[]): StepTrace {
  const total = layers.reduce((sum, layer) => sum + layer.units, 0);
  const activationBase = 3;
  let weightBase = activationBase + ACTIVATION_ROWS * total;
  let column = 0;
  const traces = layers.map((layer) => {
    const n = layer.units;
    const stats = new Float32Array(TRACE_STATS.length * n);
    for (let r = 0; r < ACTIVATION_ROWS; r++) {
      const from = activationBase + r * total + column;
      stats.set(packed.subarray(from, from + n), r * n);
    }
    stats.set(packed.subarray(weightBase, weightBase + 2 * n), ACTIVATION_ROWS * n);
    weightBase += 2 * n;
    column += n;
    return makeLayerTrace(layer.index, layer.name, n, stats);
  });
  return { network, step, batchSize, loss: packed[0], gradNorm: packed[1], updateNorm: packed[2], layers: traces };
}
