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

export function columnSums(matrix: ActivationMatrix): ColumnSums {
  const { data, samples, units } = matrix;
  const sums: ColumnSums = {
    sum: new Float64Array(units),
    sumAbs: new Float64Array(units),
    sumSquares: new Float64Array(units),
    zeroCount: new Float64Array(units),
    positiveCount: new Float64Array(units),
  };
  const { sum, sumAbs, sumSquares, zeroCount, positiveCount } = sums;
  for (let s = 0; s < samples; s++) {
    const row = s * units;
    for (let i = 0; i < units; i++) {
      const value = data[row + i];
      sum[i] += value;
      sumSquares[i] += value * value;
      if (value > 0) {
        sumAbs[i] += value;
        positiveCount[i]++;
      } else if (value < 0) {
        sumAbs[i] -= value;
      } else {
        zeroCount[i]++;
      }
    }
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
