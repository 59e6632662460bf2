/**
 * Dead and rarely-active units (algorithms.md §3.1).
 * - Dead: exactly 0 on every sample of the probe batch — Dohare et al., "Loss of plasticity in deep
 *   continual learning", Nature 2024 (arXiv 2306.13812), `lop/permuted_mnist/online_expr.py`.
 * - Rarely active: > 0 on at most 1% of the samples — the same paper's PPO plots (`lop/rl/run_ppo.py`).
 * - Near-zero: |a| < 1e-7 on more than 95% of samples — Joudaki et al. (arXiv 2510.00304),
 *   `src/utils/metrics.py: measure_dead_neurons`.
 */
import type { ActivationMatrix, ColumnSums, UnitSelection } from './activation-matrix.ts';
import { assertValidActivationMatrix, columnSums, unitSelection } from './activation-matrix.ts';

/** Dohare's rarely-active threshold: active on ≤ 1% of samples. */
export const RARELY_ACTIVE_MAX_FRACTION = 0.01;

/** Units whose activation is exactly zero on every sample. */
export function deadUnits(matrix: ActivationMatrix): UnitSelection {
  assertValidActivationMatrix(matrix, 'deadUnits');
  return deadUnitsFromSums(columnSums(matrix), matrix.samples);
}

export function deadUnitsFromSums(sums: ColumnSums, samples: number): UnitSelection {
  const mask = new Uint8Array(sums.zeroCount.length);
  for (let i = 0; i < mask.length; i++) mask[i] = sums.zeroCount[i] === samples ? 1 : 0;
  return unitSelection(mask);
}

/** Units with a > 0 on at most `maxActiveFraction` of the samples (ReLU-family layers). */
export function rarelyActiveUnits(matrix: ActivationMatrix, maxActiveFraction = RARELY_ACTIVE_MAX_FRACTION): UnitSelection {
  assertValidActivationMatrix(matrix, 'rarelyActiveUnits');
  return rarelyActiveUnitsFromSums(columnSums(matrix), matrix.samples, maxActiveFraction);
}

export function rarelyActiveUnitsFromSums(sums: ColumnSums, samples: number, maxActiveFraction = RARELY_ACTIVE_MAX_FRACTION): UnitSelection {
  const mask = new Uint8Array(sums.positiveCount.length);
  for (let i = 0; i < mask.length; i++) mask[i] = sums.positiveCount[i] <= maxActiveFraction * samples ? 1 : 0;
  return unitSelection(mask);
}

export interface NearZeroOptions {
  /** |a| below this counts as zero; Joudaki: 1e-7. */
  tolerance?: number;
  /** Dead when strictly more than this fraction of samples is near zero; Joudaki: 0.95. */
  sampleFraction?: number;
}

/** Joudaki's dead-unit rule: |a| < tolerance on more than `sampleFraction` of the samples. */
export function nearZeroUnits(matrix: ActivationMatrix, options: NearZeroOptions = {}): UnitSelection {
  assertValidActivationMatrix(matrix, 'nearZeroUnits');
  const tolerance = options.tolerance ?? 1e-7;
  const sampleFraction = options.sampleFraction ?? 0.95;
  const { data, samples, units } = matrix;
  const counts = new Float64Array(units);
  for (let s = 0; s < samples; s++) {
    const row = s * units;
    for (let i = 0; i < units; i++) if (Math.abs(data[row + i]) < tolerance) counts[i]++;
  }
  const mask = new Uint8Array(units);
  for (let i = 0; i < units; i++) mask[i] = counts[i] > sampleFraction * samples ? 1 : 0;
  return unitSelection(mask);
}
