/**
 * Gram matrices of an activation matrix A [samples × units], in float64, as full symmetric
 * row-major arrays. The unit Gram AᵀA [units × units] feeds the duplicate-unit similarities and,
 * when units ≤ samples, the spectrum; the sample Gram AAᵀ [samples × samples] is the smaller one
 * when units > samples. Both have the same non-zero eigenvalues σ_k².
 */
import type { ActivationMatrix } from './activation-matrix.ts';
import { columnMajor } from './activation-matrix.ts';
import { NATIVE_GRAM_MIN_PRODUCTS, nativeSpectralKernels } from './native-spectral.ts';

/**
 * Centred energy (variance × n) below this fraction of the raw energy Σa² is rounding noise left by
 * subtracting the mean: the unit (or the whole layer) is constant over the batch.
 */
export const CONSTANT_RELATIVE_VARIANCE = 1e-10;

/** AᵀA, from the column-major copy (made here unless given) so that every inner product is contiguous. */
export function unitGram(matrix: ActivationMatrix, out?: Float64Array, columns: Float64Array = columnMajor(matrix)): Float64Array {
  return symmetricProduct(columns, matrix.units, matrix.samples, out);
}

/** AAᵀ. */
export function sampleGram(matrix: ActivationMatrix, out?: Float64Array): Float64Array {
  const { data, samples, units } = matrix;
  const rows = data instanceof Float64Array ? data : Float64Array.from(data);
  return symmetricProduct(rows, samples, units, out);
}

/**
 * X Xᵀ for row-major X [count × length]. Blocks of four rows of X are dotted with two earlier rows
 * at a time (eight sums in registers, six loads per eight products: ≈1.5× faster than one row at a
 * time in V8). Every entry still sums its products in index order, so the result does not depend
 * on the blocking. Large products go to OpenBLAS's dsyrk when the addon has it (native-spectral.ts).
 */
export function symmetricProduct(x: Float64Array, count: number, length: number, out?: Float64Array): Float64Array {
  const gram = out ?? new Float64Array(count * count);
  const native = count * count * length >= NATIVE_GRAM_MIN_PRODUCTS ? nativeSpectralKernels() : null;
  if (native !== null) {
    native.gramProduct(x, count, length, gram);
    return gram;
  }
  return symmetricProductJs(x, count, length, gram);
}

/** symmetricProduct in JS (the fallback, and the reference the native kernel is tested against). */
export function symmetricProductJs(x: Float64Array, count: number, length: number, gram: Float64Array): Float64Array {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const r0 = i * length;
    const r1 = r0 + length;
    const r2 = r1 + length;
    const r3 = r2 + length;
    const end = i + 4;
    let j = 0;
    for (; j + 2 <= end; j += 2) {
      const p = j * length;
      const q = p + length;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let k = 0; k < length; k++) {
        const v = x[p + k];
        const w = x[q + k];
        const x0 = x[r0 + k];
        const x1 = x[r1 + k];
        const x2 = x[r2 + k];
        const x3 = x[r3 + k];
        a0 += x0 * v;
        a1 += x1 * v;
        a2 += x2 * v;
        a3 += x3 * v;
        b0 += x0 * w;
        b1 += x1 * w;
        b2 += x2 * w;
        b3 += x3 * w;
      }
      setSymmetric(gram, count, i, j, a0);
      setSymmetric(gram, count, i + 1, j, a1);
      setSymmetric(gram, count, i + 2, j, a2);
      setSymmetric(gram, count, i + 3, j, a3);
      setSymmetric(gram, count, i, j + 1, b0);
      setSymmetric(gram, count, i + 1, j + 1, b1);
      setSymmetric(gram, count, i + 2, j + 1, b2);
      setSymmetric(gram, count, i + 3, j + 1, b3);
    }
  }
  for (; i < count; i++) {
    const ri = i * length;
    for (let j = 0; j <= i; j++) {
      const rj = j * length;
      let dot = 0;
      for (let k = 0; k < length; k++) dot += x[ri + k] * x[rj + k];
      setSymmetric(gram, count, i, j, dot);
    }
  }
  return gram;
}

function setSymmetric(gram: Float64Array, count: number, i: number, j: number, value: number): void {
  gram[i * count + j] = value;
  gram[j * count + i] = value;
}

/**
 * Centred unit Gram H̃ᵀH̃ = AᵀA − s sᵀ / n, with s the per-unit sums and n the sample count
 * (H̃ = A with each unit's batch mean removed).
 */
export function centreUnitGram(gram: Float64Array, columnSum: Float64Array, samples: number, out?: Float64Array): Float64Array {
  const units = columnSum.length;
  const centred = out ?? new Float64Array(units * units);
  for (let i = 0; i < units; i++) {
    const scaled = columnSum[i] / samples;
    for (let j = 0; j < units; j++) centred[i * units + j] = gram[i * units + j] - scaled * columnSum[j];
  }
  return centred;
}

/**
 * Centred sample Gram H̃H̃ᵀ = P (AAᵀ) P with P = I − 11ᵀ/n: subtract row and column means and add
 * back the grand mean. Same non-zero spectrum as the centred unit Gram.
 */
export function doubleCentre(gram: Float64Array, size: number, out?: Float64Array): Float64Array {
  const centred = out ?? new Float64Array(size * size);
  const rowMean = new Float64Array(size);
  let grandMean = 0;
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = 0; j < size; j++) sum += gram[i * size + j];
    rowMean[i] = sum / size;
    grandMean += rowMean[i];
  }
  grandMean /= size;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) centred[i * size + j] = gram[i * size + j] - rowMean[i] - rowMean[j] + grandMean;
  }
  return centred;
}
