/**
 * Participation ratio of a spectrum: PR = (Σ_k λ_k)² / Σ_k λ_k², with λ_k = σ_k² the eigenvalues of
 * the Gram / covariance matrix. It lies in [1, rank]. Computed from a Gram matrix G it needs no
 * eigen-decomposition: PR = (tr G)² / ‖G‖_F². Joudaki et al. (arXiv 2510.00304,
 * `src/utils/metrics.py: measure_stable_rank`) report this on mean-centred activations under the
 * name "stable rank" (algorithms.md §3.5). Zero matrix → 0.
 */
import { descendingSpectrum } from './spectrum.ts';

/** PR from singular values σ_k (λ_k = σ_k²). */
export function participationRatio(singularValues: ArrayLike<number>): number {
  const values = descendingSpectrum(singularValues, 'participationRatio');
  let sumSquares = 0;
  let sumFourth = 0;
  for (let k = 0; k < values.length; k++) {
    const square = values[k] * values[k];
    sumSquares += square;
    sumFourth += square * square;
  }
  return sumFourth === 0 ? 0 : (sumSquares * sumSquares) / sumFourth;
}

/** PR from a symmetric Gram matrix [size × size]: (tr G)² / ‖G‖_F². */
export function participationRatioFromGram(gram: Float64Array, size: number): number {
  let trace = 0;
  let frobeniusSquared = 0;
  for (let i = 0; i < size; i++) {
    trace += gram[i * size + i];
    const row = i * size;
    for (let j = 0; j < size; j++) frobeniusSquared += gram[row + j] * gram[row + j];
  }
  return frobeniusSquared === 0 ? 0 : (trace * trace) / frobeniusSquared;
}
