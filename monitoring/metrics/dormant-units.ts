/**
 * τ-dormant units of ReDo — Sokar, Agarwal, Castro, Evci, "The Dormant Neuron Phenomenon in Deep
 * RL", ICML 2023 (arXiv 2302.12902); algorithms.md §2.4. Score s_i = mean_x|a_i(x)| divided by the
 * layer mean of that quantity; unit i is τ-dormant when s_i ≤ τ. Like `google/dopamine:
 * dopamine/labs/redo/weight_recyclers.py` we add 1e-9 to the layer mean, so an all-zero layer
 * scores 0 everywhere (all dormant) instead of NaN. τ = 0 selects exactly-zero scores only.
 */
import type { ActivationMatrix, ColumnSums, UnitSelection } from './activation-matrix.ts';
import { assertValidActivationMatrix, columnSums, unitSelection } from './activation-matrix.ts';

/** ReDo's τ in the default DQN setting (`timoklein/redo: src/config.py`). */
export const REDO_DEFAULT_THRESHOLD = 0.025;
/** ReDo's τ in high replay-ratio settings. */
export const REDO_HIGH_REPLAY_RATIO_THRESHOLD = 0.1;
const LAYER_MEAN_EPSILON = 1e-9;

/** Per-unit ReDo scores s_i (layer mean of s is ≈ 1). */
export function dormantScores(matrix: ActivationMatrix): Float64Array {
  assertValidActivationMatrix(matrix, 'dormantScores');
  return dormantScoresFromSums(columnSums(matrix), matrix.samples);
}

export function dormantScoresFromSums(sums: ColumnSums, samples: number, out?: Float64Array): Float64Array {
  const units = sums.sumAbs.length;
  const scores = out ?? new Float64Array(units);
  let layerSum = 0;
  for (let i = 0; i < units; i++) {
    scores[i] = sums.sumAbs[i] / samples;
    layerSum += scores[i];
  }
  const denominator = layerSum / units + LAYER_MEAN_EPSILON;
  for (let i = 0; i < units; i++) scores[i] /= denominator;
  return scores;
}

/** Units with ReDo score s_i ≤ τ. */
export function dormantUnits(matrix: ActivationMatrix, threshold = REDO_DEFAULT_THRESHOLD): UnitSelection {
  return dormantUnitsFromScores(dormantScores(matrix), threshold);
}

export function dormantUnitsFromScores(scores: Float64Array, threshold = REDO_DEFAULT_THRESHOLD): UnitSelection {
  const mask = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) mask[i] = scores[i] <= threshold ? 1 : 0;
  return unitSelection(mask);
}
