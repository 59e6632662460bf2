/**
 * Duplicated (cloned) units — Joudaki et al. (arXiv 2510.00304), `src/utils/metrics.py:
 * measure_duplicate_neurons`; algorithms.md §3.3. Each unit's activation vector over the batch is
 * L2-normalised WITHOUT centring and compared by cosine; a pair (i, j), i < j, is a duplicate pair
 * when the similarity exceeds τ (0.95; 0.98 in their bit-flipping config), and unit i is marked when
 * it has such a pair with a later unit — so a group of c clones marks c − 1 units, the redundant
 * ones. Their paper calls this "Pearson", but uncentred cosine is biased high for non-negative ReLU
 * outputs, so we also report the centred (Pearson) version, skipping constant units (zero
 * variance, already counted as dead or constant). Zero vectors have similarity 0 with everything.
 */
import type { ActivationMatrix, UnitSelection } from './activation-matrix.ts';
import { assertValidActivationMatrix, columnMajor, columnSums, unitSelection } from './activation-matrix.ts';
import { CONSTANT_RELATIVE_VARIANCE, unitGram } from './gram-matrix.ts';

export const DUPLICATE_SIMILARITY_THRESHOLD = 0.95;

export interface DuplicateSelection extends UnitSelection {
  /** Number of pairs i < j with similarity > threshold. */
  pairs: number;
}

export interface DuplicateUnits {
  threshold: number;
  /** Uncentred cosine similarity (Joudaki's code). */
  cosine: DuplicateSelection;
  /** Centred (Pearson) correlation; constant units never count. */
  pearson: DuplicateSelection;
}

export function duplicateUnits(matrix: ActivationMatrix, threshold = DUPLICATE_SIMILARITY_THRESHOLD): DuplicateUnits {
  assertValidActivationMatrix(matrix, 'duplicateUnits');
  const columns = columnMajor(matrix);
  return duplicateUnitsFromGram(unitGram(matrix, undefined, columns), columnSums(matrix, columns).sum, matrix.samples, threshold);
}

/** From the unit Gram AᵀA [units × units] and the per-unit sums Σ_s a_si. */
export function duplicateUnitsFromGram(gram: Float64Array, columnSum: Float64Array, samples: number, threshold = DUPLICATE_SIMILARITY_THRESHOLD): DuplicateUnits {
  const units = columnSum.length;
  const norm = new Float64Array(units);
  const spread = new Float64Array(units);
  for (let i = 0; i < units; i++) {
    const energy = gram[i * units + i];
    const variance = energy - (columnSum[i] * columnSum[i]) / samples;
    norm[i] = Math.sqrt(energy);
    spread[i] = variance > CONSTANT_RELATIVE_VARIANCE * energy ? Math.sqrt(variance) : 0;
  }
  const cosineMask = new Uint8Array(units);
  const pearsonMask = new Uint8Array(units);
  let cosinePairs = 0;
  let pearsonPairs = 0;
  for (let i = 0; i < units; i++) {
    const row = i * units;
    const meanI = columnSum[i] / samples;
    for (let j = i + 1; j < units; j++) {
      const g = gram[row + j];
      if (norm[i] > 0 && norm[j] > 0 && g / (norm[i] * norm[j]) > threshold) {
        cosineMask[i] = 1;
        cosinePairs++;
      }
      if (spread[i] > 0 && spread[j] > 0 && (g - meanI * columnSum[j]) / (spread[i] * spread[j]) > threshold) {
        pearsonMask[i] = 1;
        pearsonPairs++;
      }
    }
  }
  return {
    threshold,
    cosine: { ...unitSelection(cosineMask), pairs: cosinePairs },
    pearson: { ...unitSelection(pearsonMask), pairs: pearsonPairs },
  };
}
