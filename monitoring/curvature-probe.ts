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
 * The δ_l of all Jacobian rows come from one matrix product per layer over `layerWeights()` and
 * the probe activations when every layer allows it (no LayerNorm, activations whose derivative is a
 * function of the output, linear output); the fallback is one `parameterGradient` call per Jacobian
 * row, ~100× slower on a 256-unit network. δ is single precision either way, as the gradients are;
 * the Gram sums run in double precision.
 */
import type { LayerWeights, Network, OutputLoss } from '../src/nn/types.ts';
import { MatMul } from '../src/nn/typed/matmul.ts';
import { PlasticdError } from '../src/util/errors.ts';
import { gaussNewtonSpectrumFromGram } from './metrics/curvature.ts';
import { symmetricProduct } from './metrics/gram-matrix.ts';
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

/**
 * Gauss–Newton spectrum on the first `samples` rows of `input` (row-major, `inputSize` wide).
 * Costs one forward pass, one matrix product per layer (samples × outputs backward passes on the
 * fallback) and one [rows × rows] eigenproblem.
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
  const count = samples * outputs;
  const blocks = analyticDeltas(spec)
    ? analyticBlocks(network.layerWeights(), spec.hidden.map((h) => h.activation), activations, samples, outputs)
    : gradientBlocks(network, layers, rows, samples);
  // J_r·J_q = Σ_l (δ_l(r)·δ_l(q)) (a_in(s)·a_in(t) + 1) + Σ_LayerNorm (g_r·g_q), r = (s, c), q = (t, c').
  const gram = new Float64Array(count * count);
  const blockGram = new Float64Array(count * count);
  for (const block of blocks) {
    const inputGram = block.layer >= 0 ? symmetricProduct(Float64Array.from(layerInputs[block.layer]), samples, layers[block.layer].fanIn) : null;
    symmetricProduct(Float64Array.from(block.values), count, block.width, blockGram);
    for (let r = 0; r < count; r++) {
      const s = Math.floor(r / outputs);
      for (let q = 0; q < count; q++) {
        const factor = inputGram === null ? 1 : inputGram[s * samples + Math.floor(q / outputs)] + 1;
        gram[r * count + q] += blockGram[r * count + q] * factor;
      }
    }
  }
  return gaussNewtonSpectrumFromGram(gram, count, total);
}

/** One factor of the Jacobian's row Gram: per row, `width` gradient values; `layer` ≥ 0 when they multiply that layer's input Gram. */
interface GradientBlock {
  values: Float32Array;
  width: number;
  layer: number;
}

/** The bias gradients (and LayerNorm gradients) of every layer from one `parameterGradient` call per Jacobian row. */
function gradientBlocks(network: CurvatureNetwork, layers: LayerSlots[], rows: Float32Array, samples: number): GradientBlock[] {
  const { inputSize, outputSize: outputs } = network.spec;
  const count = samples * outputs;
  const blocks: GradientBlock[] = [];
  const sources: number[] = [];
  layers.forEach((layer, l) => {
    blocks.push({ values: new Float32Array(count * layer.fanOut), width: layer.fanOut, layer: l });
    sources.push(layer.bias);
    if (layer.layerNorm >= 0) {
      blocks.push({ values: new Float32Array(count * 2 * layer.fanOut), width: 2 * layer.fanOut, layer: -1 });
      sources.push(layer.layerNorm); // gain, then shift: contiguous in the flat order
    }
  });
  const selectors = Array.from({ length: outputs }, (_, c) => selectOutput(c));
  for (let s = 0; s < samples; s++) {
    const row = rows.subarray(s * inputSize, (s + 1) * inputSize);
    for (let c = 0; c < outputs; c++) {
      const { gradient } = network.parameterGradient(row, 1, selectors[c]);
      const r = s * outputs + c;
      blocks.forEach((block, b) => block.values.set(gradient.subarray(sources[b], sources[b] + block.width), r * block.width));
    }
  }
  return blocks;
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

/** Products of matrices [rows × fanOut]·[fanOut × fanIn]: OpenBLAS through the optional addon, else JS. */
let products: MatMul | null = null;

/**
 * Per Jacobian row (sample s, output c): δ_out = e_c, δ_l = (δ_{l+1} W_{l+1}) ⊙ σ'(a_l), for all
 * rows at once per layer (one matrix product each), δ_l being that layer's bias gradient.
 */
function analyticBlocks(weights: LayerWeights[], activationNames: readonly string[], activations: Float32Array[], samples: number, outputs: number): GradientBlock[] {
  products ??= new MatMul(true);
  const count = samples * outputs;
  const hidden = activations.length;
  const blocks: GradientBlock[] = new Array(hidden + 1);
  const top = new Float32Array(count * outputs);
  for (let r = 0; r < count; r++) top[r * outputs + (r % outputs)] = 1;
  blocks[hidden] = { values: top, width: outputs, layer: hidden };
  for (let l = hidden - 1; l >= 0; l--) {
    const next = weights[l + 1];
    const units = next.fanIn;
    const deltas = new Float32Array(count * units);
    products.nn(count, units, next.fanOut, blocks[l + 1].values, next.weight, deltas);
    const a = activations[l];
    const activation = activationNames[l];
    for (let r = 0; r < count; r++) {
      const at = r * units;
      const from = Math.floor(r / outputs) * units;
      for (let j = 0; j < units; j++) deltas[at + j] *= derivative(activation, a[from + j]);
    }
    blocks[l] = { values: deltas, width: units, layer: l };
  }
  return blocks;
}
