/**
 * Effective rank — Roy & Vetterli, "The effective rank: a measure of effective dimensionality",
 * EUSIPCO 2007 (algorithms.md §3.4): erank = exp(−Σ_k p_k log p_k) with p_k = σ_k / Σ_j σ_j
 * (singular values normalised by their L1 sum, 0·log 0 = 0). It lies in [1, rank]. Deviation: the
 * paper leaves the zero matrix undefined; we return 0 for it (no NaN on a fully dead layer).
 */
import { descendingSpectrum } from './spectrum.ts';

export function effectiveRank(singularValues: ArrayLike<number>): number {
  const values = descendingSpectrum(singularValues, 'effectiveRank');
  let total = 0;
  for (let k = 0; k < values.length; k++) total += values[k];
  if (total === 0) return 0;
  let entropy = 0;
  for (let k = 0; k < values.length; k++) {
    const p = values[k] / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}
