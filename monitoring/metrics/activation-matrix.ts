/**
 * The input of every window-level activation metric: the post-activations of one hidden layer on
 * the probe batch, a row-major [samples × units] view (row s = sample s, column i = unit i), as
 * `Network.forwardWithActivations` returns them. Plus the shared checks and per-unit sums.
 */
import { PlasticdError } from '../../src/util/errors.ts';

export type MatrixData = Float32Array | Float64Array;

export interface ActivationMatrix {
  /** Row-major [samples × units]. */
  readonly data: MatrixData;
  readonly samples: number;
  readonly units: number;
}

/** Wraps `data` as a [samples × units] matrix after checking its shape and that it is finite. */
export function activationMatrix(data: MatrixData, samples: number, units: number): ActivationMatrix {
  const matrix = { data, samples, units };
  assertValidActivationMatrix(matrix, 'activationMatrix');
  return matrix;
}

/**
 * Throws a PlasticdError unless `matrix` has at least one sample and one unit, `samples × units`
 * values, and no NaN or ±Infinity (a diverged network must be reported, not measured).
 */
export function assertValidActivationMatrix(matrix: ActivationMatrix, where: string): void {
  assertActivationShape(matrix, where);
  assertFiniteActivations(matrix, where);
}

/** The shape half of assertValidActivationMatrix. */
export function assertActivationShape(matrix: ActivationMatrix, where: string): void {
  const { data, samples, units } = matrix;
  if (!Number.isInteger(samples) || !Number.isInteger(units) || samples < 1 || units < 1) {
    throw new PlasticdError('invalid_activation_matrix', `${where}: need at least 1 sample and 1 unit, got samples=${samples}, units=${units}`);
  }
  if (data.length !== samples * units) {
    throw new PlasticdError(
      'invalid_activation_matrix',
      `${where}: a [${samples} × ${units}] activation matrix needs ${samples * units} values, got ${data.length}`,
    );
  }
}

/**
 * The finiteness half: names the first NaN or ±Infinity. Callers that already summed squares per
 * unit can run it only when a sum is not finite (a non-finite value always makes its unit's sum so).
 */
export function assertFiniteActivations(matrix: ActivationMatrix, where: string): void {
  const { data, units } = matrix;
  for (let index = 0; index < data.length; index++) {
    if (!Number.isFinite(data[index])) {
      const sample = Math.floor(index / units);
      throw new PlasticdError(
        'non_finite_activation',
        `${where}: activation of unit ${index % units} on sample ${sample} is ${data[index]}; metrics need finite activations (has the network diverged?)`,
        { sample, unit: index % units, value: data[index] },
      );
    }
  }
}

/** Per-unit sums over the samples, gathered in one pass over the matrix. */
export interface ColumnSums {
  /** Σ_s a_si */
  sum: Float64Array;
  /** Σ_s |a_si| */
  sumAbs: Float64Array;
  /** Σ_s a_si² */
  sumSquares: Float64Array;
  /** #{s : a_si = 0} */
  zeroCount: Float64Array;
  /** #{s : a_si > 0} */
  positiveCount: Float64Array;
}

/**
 * A float64 column-major copy of A (column i, unit i's samples, is contiguous), transposed tile by
 * tile so that both sides stay in cache (a plain strided scatter was ~10× slower on 512 × 256).
 */
export function columnMajor(matrix: ActivationMatrix): Float64Array {
  const { data, samples, units } = matrix;
  const columns = new Float64Array(samples * units);
  const tile = 32;
  for (let s0 = 0; s0 < samples; s0 += tile) {
    const s1 = Math.min(s0 + tile, samples);
    for (let i0 = 0; i0 < units; i0 += tile) {
      const i1 = Math.min(i0 + tile, units);
      for (let i = i0; i < i1; i++) {
        const column = i * samples;
        for (let s = s0; s < s1; s++) columns[column + s] = data[s * units + i];
      }
    }
  }
  return columns;
}

/**
 * Per-unit sums, one unit at a time over `columns` (columnMajor(matrix), made here unless given),
 * with the accumulators in registers. Each sum runs over the samples in order.
 */
export function columnSums(matrix: ActivationMatrix, columns: Float64Array = columnMajor(matrix)): ColumnSums {
  const { samples, units } = matrix;
  const sums: ColumnSums = {
    sum: new Float64Array(units),
    sumAbs: new Float64Array(units),
    sumSquares: new Float64Array(units),
    zeroCount: new Float64Array(units),
    positiveCount: new Float64Array(units),
  };
  for (let i = 0; i < units; i++) {
    let sum = 0;
    let sumAbs = 0;
    let sumSquares = 0;
    let zeros = 0;
    let positives = 0;
    const end = (i + 1) * samples;
    for (let k = i * samples; k < end; k++) {
      const value = columns[k];
      sum += value;
      sumSquares += value * value;
      // Branch-free: ReLU outputs are zero on about half the samples at random, and the branches
      // mispredicted often enough to make this loop 2.3× slower.
      sumAbs += Math.abs(value);
      positives += +(value > 0);
      zeros += +(value === 0);
    }
    sums.sum[i] = sum;
    sums.sumAbs[i] = sumAbs;
    sums.sumSquares[i] = sumSquares;
    sums.zeroCount[i] = zeros;
    sums.positiveCount[i] = positives;
  }
  return sums;
}

/** A set of units picked by a metric: the 0/1 mask, how many, and that count over all units. */
export interface UnitSelection {
  mask: Uint8Array;
  count: number;
  /** count / units, in 0–1. */
  fraction: number;
}

export function unitSelection(mask: Uint8Array): UnitSelection {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  return { mask, count, fraction: mask.length === 0 ? 0 : count / mask.length };
}
