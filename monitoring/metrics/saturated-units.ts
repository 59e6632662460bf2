/**
 * Saturated units of tanh / sigmoid layers (algorithms.md §3.2, the [R] direct criterion): unit i
 * is saturated when the activation's derivative |f'(z)| < ε (default 1e-2, i.e. |tanh| > 0.99499)
 * on more than 99% of the probe batch. The derivative comes from the post-activation a = f(z):
 * tanh' = 1 − a², sigmoid' = a(1 − a), so no pre-activations or gradients are needed. This is the
 * activation-only stand-in for Joudaki et al.'s gradient-ratio rule (arXiv 2510.00304, τ_sat = 1e-4,
 * p_sat = 0.99), whose theory calls a unit frozen when |f'(z)| is small.
 */
import type { ActivationMatrix, UnitSelection } from './activation-matrix.ts';
import { assertValidActivationMatrix, unitSelection } from './activation-matrix.ts';
import { PlasticdError } from '../../src/util/errors.ts';

export type SaturatingActivation = 'tanh' | 'sigmoid';

export interface SaturationOptions {
  /** |f'(z)| below this is saturated on that sample. Default 1e-2. */
  derivativeThreshold?: number;
  /** Saturated when strictly more than this fraction of samples is saturated. Default 0.99. */
  sampleFraction?: number;
}

export const SATURATION_DERIVATIVE_THRESHOLD = 1e-2;
export const SATURATION_SAMPLE_FRACTION = 0.99;

export function isSaturatingActivation(activation: string): activation is SaturatingActivation {
  return activation === 'tanh' || activation === 'sigmoid';
}

export function saturatedUnits(matrix: ActivationMatrix, activation: SaturatingActivation, options: SaturationOptions = {}): UnitSelection {
  assertValidActivationMatrix(matrix, 'saturatedUnits');
  if (!isSaturatingActivation(activation)) {
    throw new PlasticdError('unsupported_activation', `saturatedUnits: activation must be 'tanh' or 'sigmoid', got '${String(activation)}'`);
  }
  const derivativeThreshold = options.derivativeThreshold ?? SATURATION_DERIVATIVE_THRESHOLD;
  const sampleFraction = options.sampleFraction ?? SATURATION_SAMPLE_FRACTION;
  const { data, samples, units } = matrix;
  const tanh = activation === 'tanh';
  const counts = new Float64Array(units);
  for (let s = 0; s < samples; s++) {
    const row = s * units;
    for (let i = 0; i < units; i++) {
      const a = data[row + i];
      const derivative = tanh ? 1 - a * a : a * (1 - a);
      if (Math.abs(derivative) < derivativeThreshold) counts[i]++;
    }
  }
  const mask = new Uint8Array(units);
  for (let i = 0; i < units; i++) mask[i] = counts[i] > sampleFraction * samples ? 1 : 0;
  return unitSelection(mask);
}
