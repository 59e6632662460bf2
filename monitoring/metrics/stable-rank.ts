/**
 * Stable rank, in the two incompatible conventions of algorithms.md §3.5 — always say which:
 * - classic (Rudelson & Vershynin 2007, "Sampling from large matrices"): ‖A‖_F² / ‖A‖_2² =
 *   Σσ_k² / σ_max², on the raw (uncentred) activations;
 * - Joudaki et al. (arXiv 2510.00304): ‖H̃‖_F⁴ / tr((H̃ᵀH̃)²) = (Σσ²)² / Σσ⁴ of the mean-centred
 *   activations H̃, i.e. the participation ratio of the covariance eigenvalues.
 * Dohare's plots labelled "stable rank" show srank (srank.ts). Zero matrix → 0 in both.
 */
import type { ActivationMatrix } from './activation-matrix.ts';
import { assertValidActivationMatrix, columnMajor, columnSums } from './activation-matrix.ts';
import { CONSTANT_RELATIVE_VARIANCE, centreUnitGram, doubleCentre, sampleGram, unitGram } from './gram-matrix.ts';
import { participationRatioFromGram } from './participation-ratio.ts';
import { descendingSpectrum } from './spectrum.ts';

/** Classic stable rank Σσ² / σ_max² from singular values. */
export function classicStableRank(singularValues: ArrayLike<number>): number {
  const values = descendingSpectrum(singularValues, 'classicStableRank');
  const largest = values[0] ?? 0;
  if (largest === 0) return 0;
  let sumSquares = 0;
  for (let k = 0; k < values.length; k++) sumSquares += values[k] * values[k];
  return sumSquares / (largest * largest);
}

/** Joudaki's "stable rank": participation ratio of the centred activations (through the smaller Gram). */
export function joudakiStableRank(matrix: ActivationMatrix): number {
  assertValidActivationMatrix(matrix, 'joudakiStableRank');
  const { samples, units } = matrix;
  if (units <= samples) {
    const columns = columnMajor(matrix);
    const gram = unitGram(matrix, undefined, columns);
    return centredParticipationRatio(gram, centreUnitGram(gram, columnSums(matrix, columns).sum, samples), units);
  }
  const gram = sampleGram(matrix);
  return centredParticipationRatio(gram, doubleCentre(gram, samples), samples);
}

/**
 * PR of the centred Gram, or 0 when centring removed all but rounding noise (every unit constant
 * over the batch): without the guard the noise would read as a rank between 1 and `size`.
 */
export function centredParticipationRatio(gram: Float64Array, centred: Float64Array, size: number): number {
  let trace = 0;
  let centredTrace = 0;
  for (let i = 0; i < size; i++) {
    trace += gram[i * size + i];
    centredTrace += centred[i * size + i];
  }
  if (centredTrace <= CONSTANT_RELATIVE_VARIANCE * trace) return 0;
  return participationRatioFromGram(centred, size);
}
