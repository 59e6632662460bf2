/**
 * srank — Kumar, Agarwal, Ghosh, Levine, "Implicit Under-Parameterization Inhibits Data-Efficient
 * Deep RL", ICLR 2021 (arXiv 2010.14498); algorithms.md §3.6:
 * srank_δ = min{k : Σ_{i≤k} σ_i / Σ_j σ_j ≥ 1 − δ}, δ = 0.01 (99% of the singular-value sum).
 * Dohare et al. (arXiv 2306.13812, `compute_abs_approximate_rank`) compute the same; their
 * "approximate rank" applies the rule to σ² (99% of the variance). Both return 0 for a zero matrix.
 */
import { descendingSpectrum } from './spectrum.ts';

export const SRANK_DELTA = 0.01;

export function srank(singularValues: ArrayLike<number>, delta = SRANK_DELTA): number {
  return smallestPrefixReaching(descendingSpectrum(singularValues, 'srank'), 1 - delta);
}

/** Dohare's approximate rank: the srank rule on squared singular values. */
export function approximateRank(singularValues: ArrayLike<number>, proportion = 1 - SRANK_DELTA): number {
  const squared = descendingSpectrum(singularValues, 'approximateRank');
  for (let k = 0; k < squared.length; k++) squared[k] *= squared[k];
  return smallestPrefixReaching(squared, proportion);
}

/** Smallest k whose prefix holds `proportion` of the total of the descending `values`. */
function smallestPrefixReaching(values: Float64Array, proportion: number): number {
  let total = 0;
  for (let k = 0; k < values.length; k++) total += values[k];
  if (total === 0) return 0;
  let prefix = 0;
  for (let k = 0; k < values.length; k++) {
    prefix += values[k];
    if (prefix / total >= proportion) return k + 1;
  }
  // Rounding can leave the full sum a hair under proportion = 1: every value is then needed.
  let nonZero = 0;
  for (let k = 0; k < values.length; k++) if (values[k] > 0) nonZero++;
  return nonZero;
}
