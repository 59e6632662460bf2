/**
 * Shared checks for the functions that read a spectrum (singular values or PSD eigenvalues):
 * finite, non-negative, returned as a descending float64 copy.
 */
import { PlasticdError } from '../../src/util/errors.ts';

export function descendingSpectrum(values: ArrayLike<number>, where: string): Float64Array {
  const sorted = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (!Number.isFinite(value) || value < 0) {
      throw new PlasticdError('invalid_spectrum', `${where}: spectrum values must be finite and ≥ 0, got ${value} at index ${k}`);
    }
    sorted[k] = value;
  }
  return sorted.sort().reverse();
}
