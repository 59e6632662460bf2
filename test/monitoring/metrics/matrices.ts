// Matrices with answers known by construction, shared by the metric tests.
import { Rng } from '../../../src/util/rng.ts';
import type { ActivationMatrix } from '../../../monitoring/metrics/activation-matrix.ts';

/** Row-major [rows × columns] from nested rows. */
export function fromRows(rows: number[][]): ActivationMatrix {
  const samples = rows.length;
  const units = rows[0].length;
  const data = new Float64Array(samples * units);
  rows.forEach((row, s) => row.forEach((value, i) => (data[s * units + i] = value)));
  return { data, samples, units };
}

/** Row-major [samples × units] whose column i is `columns[i]`. */
export function fromColumns(columns: ArrayLike<number>[]): ActivationMatrix {
  const units = columns.length;
  const samples = columns[0].length;
  const data = new Float64Array(samples * units);
  columns.forEach((column, i) => {
    for (let s = 0; s < samples; s++) data[s * units + i] = column[s];
  });
  return { data, samples, units };
}

export function gaussian(rng: Rng, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let k = 0; k < out.length; k++) out[k] = rng.normal();
  return out;
}

/** A [rows × inner] · B [inner × columns], row-major. */
export function multiply(a: Float64Array, b: Float64Array, rows: number, inner: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < inner; k++) {
      const value = a[r * inner + k];
      for (let c = 0; c < columns; c++) out[r * columns + c] += value * b[k * columns + c];
    }
  }
  return out;
}

/** A rank-`rank` [samples × units] matrix: the product of Gaussian [samples × rank] and [rank × units] factors. */
export function lowRank(rng: Rng, samples: number, units: number, rank: number): ActivationMatrix {
  return { data: multiply(gaussian(rng, samples, rank), gaussian(rng, rank, units), samples, rank, units), samples, units };
}

/** [samples × units] with `diagonal` on the main diagonal and zeros elsewhere: its singular values are |diagonal|. */
export function diagonalMatrix(diagonal: number[], samples: number, units: number): ActivationMatrix {
  const data = new Float64Array(samples * units);
  diagonal.forEach((value, k) => (data[k * units + k] = value));
  return { data, samples, units };
}

export function column(matrix: ActivationMatrix, unit: number): Float64Array {
  const out = new Float64Array(matrix.samples);
  for (let s = 0; s < matrix.samples; s++) out[s] = matrix.data[s * matrix.units + unit];
  return out;
}
