import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricProduct, symmetricProductJs } from '../../../monitoring/metrics/gram-matrix.ts';
import { nativeSpectralKernels } from '../../../monitoring/metrics/native-spectral.ts';
import { symmetricEigenvalues, symmetricEigenvaluesJs } from '../../../monitoring/metrics/symmetric-eigenvalues.ts';
import { Rng } from '../../../src/util/rng.ts';

const native = nativeSpectralKernels();
const skip = native === null ? 'the native addon (npm run build:native) or LAPACK in its BLAS library is missing' : false;

/** A [rows × columns] ReLU-like matrix of rank ≤ rank: non-negative, with exact zeros and repeated directions. */
function activations(rng: Rng, rows: number, columns: number, rank: number): Float64Array {
  const left = Float64Array.from({ length: rows * rank }, () => rng.normal());
  const right = Float64Array.from({ length: rank * columns }, () => rng.normal());
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += left[i * rank + k] * right[k * columns + j];
      out[i * columns + j] = Math.max(0, sum);
    }
  }
  return out;
}

describe('native spectral kernels (OpenBLAS dsyrk, LAPACK dsyev) against the JS routines', { skip }, () => {
  it('Gram products agree to rounding, symmetric, for tall, wide and square shapes', () => {
    const rng = new Rng(11);
    for (const [count, length] of [[256, 512], [512, 256], [64, 64], [300, 7]]) {
      const x = activations(rng, count, length, Math.min(count, length, 40));
      const ours = symmetricProduct(x, count, length);
      const reference = symmetricProductJs(x, count, length, new Float64Array(count * count));
      let scale = 0;
      for (const value of reference) scale = Math.max(scale, Math.abs(value));
      for (let k = 0; k < ours.length; k++) assert.ok(Math.abs(ours[k] - reference[k]) <= 1e-12 * scale, `${count}×${length} entry ${k}: ${ours[k]} vs ${reference[k]}`);
      for (let i = 0; i < count; i++) for (let j = 0; j < i; j++) assert.equal(ours[i * count + j], ours[j * count + i]);
    }
  });

  it('eigenvalues of Gram matrices agree with the JS QL routine within 1e-10·λ_max, rank-deficient included', () => {
    const rng = new Rng(5);
    for (const [units, rank] of [[12, 12], [64, 10], [256, 256], [256, 30]]) {
      const x = activations(rng, units, 512, rank);
      const gram = symmetricProductJs(x, units, 512, new Float64Array(units * units));
      const ours = symmetricEigenvalues(new Float64Array(gram), units);
      const reference = symmetricEigenvaluesJs(new Float64Array(gram), units);
      for (let k = 0; k < units; k++) assert.ok(Math.abs(ours[k] - reference[k]) <= 1e-10 * reference[0], `${units} units, rank ${rank}, λ_${k}: ${ours[k]} vs ${reference[k]}`);
      for (let k = 1; k < units; k++) assert.ok(ours[k] <= ours[k - 1], 'descending');
    }
  });

  it('reports a matrix with NaN as not converging or NaN, never as a finite spectrum', () => {
    const a = new Float64Array(16 * 16);
    for (let i = 0; i < 16; i++) a[i * 16 + i] = i;
    a[5 * 16 + 3] = Number.NaN;
    let values: Float64Array | null = null;
    try {
      values = symmetricEigenvalues(a, 16);
    } catch (error) {
      assert.match(String(error), /did not converge|non-finite/);
    }
    if (values !== null) assert.ok(values.some((value) => Number.isNaN(value)), `got ${values}`);
  });
});
