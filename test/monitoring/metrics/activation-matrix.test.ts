import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { activationMatrix, columnSums } from '../../../monitoring/metrics/activation-matrix.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

function hasCode(code: string, pattern?: RegExp) {
  return (error: unknown) => error instanceof PlasticdError && error.code === code && (!pattern || pattern.test(error.message));
}

describe('activationMatrix', () => {
  it('rejects NaN with the unit and sample that hold it', () => {
    const data = new Float32Array(6);
    data[4] = Number.NaN;
    assert.throws(() => activationMatrix(data, 2, 3), hasCode('non_finite_activation', /unit 1 on sample 1 is NaN/));
  });

  it('rejects infinities', () => {
    assert.throws(() => activationMatrix(Float64Array.from([1, Number.POSITIVE_INFINITY]), 1, 2), hasCode('non_finite_activation'));
  });

  it('rejects a length that does not match samples × units, and empty shapes', () => {
    assert.throws(() => activationMatrix(new Float32Array(5), 2, 3), hasCode('invalid_activation_matrix', /needs 6 values, got 5/));
    assert.throws(() => activationMatrix(new Float32Array(0), 0, 3), hasCode('invalid_activation_matrix'));
  });

  it('accepts a single sample', () => {
    const matrix = activationMatrix(Float32Array.from([1, 2, 3]), 1, 3);
    assert.equal(matrix.units, 3);
  });
});

describe('columnSums', () => {
  it('sums each unit over the samples in one pass', () => {
    // unit 0: [1, -2, 0]; unit 1: [0, 0, 3]
    const sums = columnSums(activationMatrix(Float64Array.from([1, 0, -2, 0, 0, 3]), 3, 2));
    assert.deepEqual(Array.from(sums.sum), [-1, 3]);
    assert.deepEqual(Array.from(sums.sumAbs), [3, 3]);
    assert.deepEqual(Array.from(sums.sumSquares), [5, 9]);
    assert.deepEqual(Array.from(sums.zeroCount), [1, 2]);
    assert.deepEqual(Array.from(sums.positiveCount), [1, 1]);
  });
});
