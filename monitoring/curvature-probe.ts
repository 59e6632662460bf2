/**
 * Curvature of a live network on a few probe samples (algorithms.md §3.9, recipe 2): the Jacobian J
 * of the outputs with respect to every parameter, one row per (sample, output) pair from
 * `network.parameterGradient` with the loss "output c of this sample", and the spectrum of the
 * Gauss–Newton matrix JᵀJ through metrics/curvature.ts. Two deliberate choices:
 * - the output-loss Hessian is the identity (exact up to a constant for mean squared error), so the
 *   srank is that of the empirical NTK and needs no labels (the monitor also watches RL networks);
 * - J is never materialised: a dense layer's weight gradient for one sample is δ ⊗ a_in, with δ its
 *   bias gradient, so J_r·J_r' = Σ_l (δ_l·δ'_l)(a_in·a'_in + 1) + the LayerNorm terms. That is
 *   exact and costs rows² × units instead of rows² × parameters (test/monitoring/curvature-probe.test.ts
 *   checks it against the explicit JJᵀ).
 * The δ_l come from a float64 backward pass over `layerWeights()` and the probe activations when every
 * layer allows it (no LayerNorm, activations whose derivative is a function of the output, linear
 * output): about 30× cheaper than one `parameterGradient` call per Jacobian row, which is the fallback.
 */
import type { Network, OutputLoss } from '../src/nn/types.ts';
import { PlasticdError } from '../src/util/errors.ts';
import { gaussNewtonSpectrumFromGram } from './metrics/curvature.ts';
import type { CurvatureSpectrum } from './metrics/curvature.ts';

export type CurvatureNetwork = Pick<Network, 'parameterGradient' | 'parameterCount' | 'spec' | 'forwardWithActivations' | 'layerWeights'>;

/** An OutputLoss whose value is output `column` of a single sample and whose gradient selects it. */
export function selectOutput(column: number): OutputLoss {
  return (output, _batchSize, gradient) => {
    gradient[column] = 1;
    return output[column];
  };
}

interface LayerSlots {
  fanIn: number;
  fanOut: number;
  /** Offset of the bias in the flat gradient. */
  bias: number;
  /** Offset of the LayerNorm gain (followed by its bias), or −1. */
  layerNorm: number;
}

/** Offsets in the flat parameter order of `layerWeights()`: per layer weight, bias, [gain, shift]. */
function parameterSlots(spec: Network['spec']): { layers: LayerSlots[]; total: number } {
  const sizes = [spec.inputSize, ...spec.hidden.map((h) => h.units), spec.outputSize];
  const layers: LayerSlots[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
    const hasNorm = l < spec.hidden.length && spec.hidden[l].layerNorm === true;
    layers.push({ fanIn, fanOut, bias: offset + fanIn * fanOut, layerNorm: hasNorm ? offset + fanIn * fanOut + fanOut : -1 });
    offset += fanIn * fanOut + fanOut + (hasNorm ? 2 * fanOut : 0);
  }
  return { layers, total: offset };
}

function dot(x: Float32Array | Float64Array, xOffset: number, y: Float32Array | Float64Array, yOffset: number, length: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += x[xOffset + k] * y[yOffset + k];
  return sum;
}

/**
 * Gauss–Newton spectrum on the first `samples` rows of `input` (row-major, `inputSize` wide).
 * Costs samples × outputs backward passes, one forward pass and one [rows × rows] eigenproblem.
 */
export function curvatureProbe(network: CurvatureNetwork, input: Float32Array, samples: number): CurvatureSpectrum {
  const { spec } = network;
  const inputSize = spec.inputSize;
  const outputs = spec.outputSize;
  const available = Math.floor(input.length / inputSize);
  if (!Number.isInteger(samples) || samples < 1 || samples > available) {
    throw new PlasticdError('invalid_curvature_probe', `The curvature probe needs 1..${available} samples (the rows given); got ${samples}.`);
  }
  const { layers, total } = parameterSlots(spec);
  if (total !== network.parameterCount) {
    throw new PlasticdError('invalid_curvature_probe', `Network '${spec.name}' has ${network.parameterCount} parameters; its spec implies ${total}.`);
  }
  const rows = input.subarray(0, samples * inputSize);
  const { activations } = network.forwardWithActivations(rows, samples);
  const layerInputs = [rows, ...activations];
  // Per layer, (a_in(s)·a_in(s') + 1) for every pair of samples.
  const inputGrams = layers.map((layer, l) => {
    const gram = new Float64Array(samples * samples);
    for (let s = 0; s < samples; s++) {
      for (let t = 0; t <= s; t++) {
        const value = dot(layerInputs[l], s * layer.fanIn, layerInputs[l], t * layer.fanIn, layer.fanIn) + 1;
        gram[s * samples + t] = value;
        gram[t * samples + s] = value;
      }
    }
    return gram;
  });
  // Per Jacobian row, the bias gradients δ_l (and LayerNorm gradients) of every layer, packed.
  const width = layers.reduce((sum, layer) => sum + layer.fanOut * (layer.layerNorm >= 0 ? 3 : 1), 0);
  const count = samples * outputs;
  const packed = new Float64Array(count * width);
  if (analyticDeltas(spec)) {
    writeDeltas(network.layerWeights(), spec.hidden.map((h) => h.activation), activations, samples, outputs, packed, width);
  } else {
    const selectors = Array.from({ length: outputs }, (_, c) => selectOutput(c));
    for (let s = 0; s < samples; s++) {
      const row = rows.subarray(s * inputSize, (s + 1) * inputSize);
      for (let c = 0; c < outputs; c++) {
        const { gradient } = network.parameterGradient(row, 1, selectors[c]);
        let at = (s * outputs + c) * width;
        for (const layer of layers) {
          const length = layer.layerNorm >= 0 ? 3 * layer.fanOut : layer.fanOut;
          // bias, then gain and shift, are contiguous in the flat order
          for (let k = 0; k < length; k++) packed[at + k] = gradient[layer.bias + k];
          at += length;
        }
      }
    }
  }
  const gram = new Float64Array(count * count);
  for (let r = 0; r < count; r++) {
    for (let q = 0; q <= r; q++) {
      const [s, t] = [Math.floor(r / outputs), Math.floor(q / outputs)];
      let value = 0;
      let offset = 0;
      layers.forEach((layer, l) => {
        value += dot(packed, r * width + offset, packed, q * width + offset, layer.fanOut) * inputGrams[l][s * samples + t];
        offset += layer.fanOut;
        if (layer.layerNorm >= 0) {
          value += dot(packed, r * width + offset, packed, q * width + offset, 2 * layer.fanOut);
          offset += 2 * layer.fanOut;
        }
      });
      gram[r * count + q] = value;
      gram[q * count + r] = value;
    }
  }
  return gaussNewtonSpectrumFromGram(gram, count, total);
}

/** Hidden activations whose derivative can be read off the post-activation a. */
const DERIVATIVE_FROM_OUTPUT = new Set(['relu', 'leaky_relu', 'tanh', 'sigmoid', 'linear']);
/** PyTorch's default negative slope, as src/nn/activations.ts uses. */
const LEAKY_SLOPE = 0.01;

function analyticDeltas(spec: Network['spec']): boolean {
  const output = spec.outputActivation ?? 'linear';
  return output === 'linear' && spec.hidden.every((h) => h.layerNorm !== true && DERIVATIVE_FROM_OUTPUT.has(h.activation));
}

/** σ'(z) from a = σ(z). */
function derivative(activation: string, a: number): number {
  switch (activation) {
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'leaky_relu':
      return a > 0 ? 1 : LEAKY_SLOPE;
    case 'tanh':
      return 1 - a * a;
    case 'sigmoid':
      return a * (1 - a);
    default:
      return 1;
  }
}

/**
 * Per Jacobian row (sample s, output c): δ_out = e_c, δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ'(a_l), packed per
 * layer in flat order (hidden layers, then the output layer), each δ_l being that layer's bias gradient.
 */
function writeDeltas(
  weights: ReturnType<Network['layerWeights']>,
  activationNames: readonly string[],
  activations: Float32Array[],
  samples: number,
  outputs: number,
  packed: Float64Array,
  width: number,
): void {
  const hidden = activations.length;
  const offsets: number[] = [];
  let offset = 0;
  for (const layer of weights) {
    offsets.push(offset);
    offset += layer.fanOut;
  }
  let upper = new Float64Array(Math.max(...weights.map((w) => w.fanOut)));
  let lower = new Float64Array(upper.length);
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < outputs; c++) {
      const at = (s * outputs + c) * width;
      upper.fill(0, 0, outputs);
      upper[c] = 1;
      packed[at + offsets[hidden] + c] = 1;
      for (let l = hidden - 1; l >= 0; l--) {
        const next = weights[l + 1];
        const units = next.fanIn;
        const kernel = next.weight;
        const a = activations[l];
        const activation = activationNames[l];
        lower.fill(0, 0, units);
        for (let i = 0; i < next.fanOut; i++) {
          const d = upper[i];
          if (d === 0) continue;
          const row = i * units;
          for (let j = 0; j < units; j++) lower[j] += kernel[row + j] * d;
        }
        const base = at + offsets[l];
        for (let j = 0; j < units; j++) {
          const value = lower[j] * derivative(activation, a[s * units + j]);
          lower[j] = value;
          packed[base + j] = value;
        }
        [upper, lower] = [lower, upper];
      }
    }
  }
}
