import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { diagonalMatrix, gaussian, lowRank } from './matrices.ts';

function assertClose(actual: Float64Array, expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, k) => assert.ok(Math.abs(actual[k] - value) <= tolerance, `σ_${k}: ${actual[k]} vs ${value}`));
}

describe('singularValues', () => {
  it('returns |diagonal| in descending order for a diagonal matrix, by both methods and both shapes', () => {
    const diagonal = [2, -5, 0.5, 1];
    for (const method of ['gram', 'svd'] as const) {
      assertClose(singularValues(diagonalMatrix(diagonal, 6, 4), method), [5, 2, 1, 0.5], 1e-12);
      assertClose(singularValues(diagonalMatrix(diagonal, 4, 7), method), [5, 2, 1, 0.5], 1e-12);
    }
  });

  it('gives the Gram route and ml-matrix SVD the same spectrum on tall and wide random matrices', () => {
    const rng = new Rng(11);
    for (const [samples, units] of [[120, 40], [30, 90]]) {
      const matrix = { data: gaussian(rng, samples, units), samples, units };
      const viaGram = singularValues(matrix, 'gram');
      const viaSvd = singularValues(matrix, 'svd');
      assert.equal(viaGram.length, Math.min(samples, units));
      for (let k = 0; k < viaGram.length; k++) assert.ok(Math.abs(viaGram[k] - viaSvd[k]) <= 1e-9 * viaSvd[0], `k=${k}`);
    }
  });

  it('finds exactly k non-zero singular values of a rank-k product [512 × 64], by both methods', () => {
    const matrix = lowRank(new Rng(12), 512, 64, 6);
    for (const method of ['gram', 'svd'] as const) {
      const values = singularValues(matrix, method);
      const nonZero = values.filter((value) => value > 0).length;
      assert.equal(nonZero, 6, `${method}: ${values.slice(0, 8)}`);
    }
  });

  it('agrees between methods on float32 data', () => {
    const rng = new Rng(13);
    const data = Float32Array.from(gaussian(rng, 64, 32));
    const matrix = { data, samples: 64, units: 32 };
    const viaGram = singularValues(matrix, 'gram');
    const viaSvd = singularValues(matrix, 'svd');
    for (let k = 0; k < 32; k++) assert.ok(Math.abs(viaGram[k] - viaSvd[k]) <= 1e-9 * viaSvd[0]);
  });

  it('gives zeros for the zero matrix and ‖row‖ for a single sample', () => {
    assert.deepEqual(Array.from(singularValues({ data: new Float64Array(12), samples: 3, units: 4 })), [0, 0, 0]);
    assertClose(singularValues({ data: Float64Array.from([3, 4]), samples: 1, units: 2 }), [5], 1e-12);
  });

  it('rejects NaN input with a clear error', () => {
    assert.throws(
      () => singularValues({ data: Float64Array.from([1, Number.NaN]), samples: 1, units: 2 }),
      (error: unknown) => error instanceof PlasticdError && error.code === 'non_finite_activation',
    );
  });
});
