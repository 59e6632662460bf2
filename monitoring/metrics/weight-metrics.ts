/**
 * Weight magnitude, parameter norm and distance from initialisation (algorithms.md §3.7), and the
 * relative update size (§3.8). Mean |w| per layer is what Dohare et al. (arXiv 2306.13812) log for
 * PPO and the L2 Init paper (Kumar, Marklund, Van Roy) calls average weight magnitude (L1, weight
 * matrix only); mean |θ| over all parameters is their CIFAR quantity. ‖θ − θ₀‖₂ / ‖θ₀‖₂ is our [R]
 * addition: the quantity L2 Init and the Wasserstein regulariser control.
 */
import type { LayerWeights } from '../../src/nn/types.ts';
import { PlasticdError } from '../../src/util/errors.ts';

export interface LayerWeightMetrics {
  name: string;
  /** mean |W| over the weight matrix (no bias). */
  meanAbsWeight: number;
  /** Σ |W| over the weight matrix (Dohare, permuted MNIST). */
  sumAbsWeight: number;
  /** ‖θ_layer‖₂ over weight, bias and LayerNorm parameters. */
  parameterNorm: number;
  /** ‖θ_layer − θ₀_layer‖₂; null without initial weights. */
  distanceFromInitial: number | null;
  /** ‖θ − θ₀‖₂ / ‖θ₀‖₂ (0 when both are 0, +∞ when only θ₀ is 0); null without initial weights. */
  relativeDistanceFromInitial: number | null;
}

export interface WeightMetrics {
  layers: LayerWeightMetrics[];
  /** ‖θ‖₂ over every parameter of every layer. */
  parameterNorm: number;
  /** mean |θ| over every parameter (biases and LayerNorm included). */
  meanAbsParameter: number;
  distanceFromInitial: number | null;
  relativeDistanceFromInitial: number | null;
}

/** Per-layer and whole-network weight metrics; `initial` (same layout) enables the drift. */
export function weightMetrics(current: readonly LayerWeights[], initial?: readonly LayerWeights[]): WeightMetrics {
  if (initial && initial.length !== current.length) {
    throw new PlasticdError('weight_layout_mismatch', `weightMetrics: ${current.length} current layers but ${initial.length} initial layers`);
  }
  const layers: LayerWeightMetrics[] = [];
  let totalSquares = 0;
  let totalAbs = 0;
  let totalCount = 0;
  let totalDistanceSquares = 0;
  let totalInitialSquares = 0;
  for (let l = 0; l < current.length; l++) {
    const layer = current[l];
    const arrays = parameterArrays(layer);
    let squares = 0;
    for (const values of arrays) {
      for (let k = 0; k < values.length; k++) {
        if (!Number.isFinite(values[k])) {
          throw new PlasticdError('non_finite_weight', `weightMetrics: layer '${layer.name}' holds ${values[k]}; the network has diverged`, { layer: layer.name });
        }
        squares += values[k] * values[k];
        totalAbs += Math.abs(values[k]);
      }
      totalCount += values.length;
    }
    totalSquares += squares;
    const sumAbsWeight = sumAbs(layer.weight);
    let distanceFromInitial: number | null = null;
    let relativeDistanceFromInitial: number | null = null;
    if (initial) {
      const [distanceSquares, initialSquares] = distanceTerms(layer, initial[l]);
      totalDistanceSquares += distanceSquares;
      totalInitialSquares += initialSquares;
      distanceFromInitial = Math.sqrt(distanceSquares);
      relativeDistanceFromInitial = relativeDistance(distanceSquares, initialSquares);
    }
    layers.push({
      name: layer.name,
      meanAbsWeight: layer.weight.length === 0 ? 0 : sumAbsWeight / layer.weight.length,
      sumAbsWeight,
      parameterNorm: Math.sqrt(squares),
      distanceFromInitial,
      relativeDistanceFromInitial,
    });
  }
  return {
    layers,
    parameterNorm: Math.sqrt(totalSquares),
    meanAbsParameter: totalCount === 0 ? 0 : totalAbs / totalCount,
    distanceFromInitial: initial ? Math.sqrt(totalDistanceSquares) : null,
    relativeDistanceFromInitial: initial ? relativeDistance(totalDistanceSquares, totalInitialSquares) : null,
  };
}

/** ‖Δθ‖ / ‖θ‖ (§3.8), e.g. StepTrace.updateNorm over the parameter norm; 0 when ‖θ‖ = 0 and Δθ = 0. */
export function relativeUpdateSize(updateNorm: number, parameterNorm: number): number {
  if (updateNorm === 0) return 0;
  return parameterNorm === 0 ? Number.POSITIVE_INFINITY : updateNorm / parameterNorm;
}

function parameterArrays(layer: LayerWeights): Float32Array[] {
  const arrays = [layer.weight, layer.bias];
  if (layer.layerNormGain) arrays.push(layer.layerNormGain);
  if (layer.layerNormBias) arrays.push(layer.layerNormBias);
  return arrays;
}

/** [‖θ − θ₀‖², ‖θ₀‖²] over the layer's parameter arrays, which must match in name and shape. */
function distanceTerms(layer: LayerWeights, initialLayer: LayerWeights): [number, number] {
  const now = parameterArrays(layer);
  const then = parameterArrays(initialLayer);
  if (layer.name !== initialLayer.name || now.length !== then.length || now.some((values, k) => values.length !== then[k].length)) {
    throw new PlasticdError(
      'weight_layout_mismatch',
      `weightMetrics: layer '${layer.name}' [${layer.fanOut}×${layer.fanIn}] does not match initial layer '${initialLayer.name}' [${initialLayer.fanOut}×${initialLayer.fanIn}]`,
    );
  }
  let distanceSquares = 0;
  let initialSquares = 0;
  for (let a = 0; a < now.length; a++) {
    const x = now[a];
    const x0 = then[a];
    for (let k = 0; k < x.length; k++) {
      const difference = x[k] - x0[k];
      distanceSquares += difference * difference;
      initialSquares += x0[k] * x0[k];
    }
  }
  return [distanceSquares, initialSquares];
}

function relativeDistance(distanceSquares: number, initialSquares: number): number {
  if (distanceSquares === 0) return 0;
  return initialSquares === 0 ? Number.POSITIVE_INFINITY : Math.sqrt(distanceSquares / initialSquares);
}

function sumAbs(values: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += Math.abs(values[k]);
  return sum;
}
