import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { gaussNewtonSpectrum } from '../../../monitoring/metrics/curvature.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { gaussian } from './matrices.ts';

/** Rows a·(1,1,1,1), b·(1,−1,1,−1), c·(1,1,−1,−1): orthogonal, so J Jᵀ = diag(4a², 4b², 4c²). */
function hadamardRows(a: number, b: number, c: number): Float64Array {
  return Float64Array.from([a, a, a, a, b, -b, b, -b, c, c, -c, -c]);
}

function assertEigenvalues(actual: Float64Array, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, k) => assert.ok(Math.abs(actual[k] - value) < 1e-12, `λ_${k}: ${actual[k]} vs ${value}`));
}

describe('gaussNewtonSpectrum', () => {
  it('finds the eigenvalues (16, 4, 1) of J Jᵀ for orthogonal rows of norms 4, 2, 1', () => {
    const spectrum = gaussNewtonSpectrum(hadamardRows(2, 1, 0.5), 3, 4);
    assertEigenvalues(spectrum.eigenvalues, [16, 4, 1]);
    assert.equal(spectrum.largestEigenvalue, 16);
    assert.ok(Math.abs(spectrum.trace - 21) < 1e-12);
    // Σλ = 21: prefix shares 0.762, 0.952, 1 → 3 values for 99%.
    assert.equal(spectrum.srank, 3);
    assert.equal(spectrum.numericalRank, 3);
    const p = [16 / 21, 4 / 21, 1 / 21];
    assert.ok(Math.abs(spectrum.effectiveRank - Math.exp(-p.reduce((sum, q) => sum + q * Math.log(q), 0))) < 1e-12);
  });

  it('folds a diagonal output Hessian in through rowWeights: weights (1, 4, 16) make the spectrum flat', () => {
    const spectrum = gaussNewtonSpectrum(hadamardRows(2, 1, 0.5), 3, 4, { rowWeights: [1, 4, 16] });
    assertEigenvalues(spectrum.eigenvalues, [16, 16, 16]);
    assert.ok(Math.abs(spectrum.effectiveRank - 3) < 1e-12);
  });

  it('uses Jᵀ J when there are more rows than parameters (orthogonal columns of norms 3 and 1)', () => {
    // 6 × 2 Jacobian, columns (3, 0, 0, 0, 0, 0) and (0, 0.6, 0.8, 0, 0, 0).
    const jacobian = new Float64Array(12);
    jacobian[0] = 3;
    jacobian[1 * 2 + 1] = 0.6;
    jacobian[2 * 2 + 1] = 0.8;
    assertEigenvalues(gaussNewtonSpectrum(jacobian, 6, 2).eigenvalues, [9, 1]);
  });

  it('counts a repeated row once in the numerical rank', () => {
    const rows = hadamardRows(1, 1, 1);
    const jacobian = new Float64Array(16);
    jacobian.set(rows);
    jacobian.set(rows.subarray(0, 4), 12);
    const spectrum = gaussNewtonSpectrum(jacobian, 4, 4);
    assert.equal(spectrum.numericalRank, 3);
    assertEigenvalues(spectrum.eigenvalues, [8, 4, 4, 0]);
  });

  it('matches ml-matrix\'s eigenvalues of Jᵀ J for a random Jacobian', () => {
    const rng = new Rng(60);
    const rows = 12;
    const parameters = 30;
    const jacobian = gaussian(rng, rows, parameters);
    const j = Matrix.from1DArray(rows, parameters, Array.from(jacobian));
    const reference = new EigenvalueDecomposition(j.transpose().mmul(j), { assumeSymmetric: true }).realEigenvalues.sort((x, y) => y - x);
    const ours = gaussNewtonSpectrum(jacobian, rows, parameters).eigenvalues;
    for (let k = 0; k < rows; k++) assert.ok(Math.abs(ours[k] - reference[k]) < 1e-10 * reference[0], `k=${k}`);
  });

  it('rejects NaN entries, a wrong length and negative row weights', () => {
    const code = (expected: string) => (error: unknown) => error instanceof PlasticdError && error.code === expected;
    assert.throws(() => gaussNewtonSpectrum(Float64Array.from([1, Number.NaN]), 1, 2), code('non_finite_jacobian'));
    assert.throws(() => gaussNewtonSpectrum(new Float64Array(5), 2, 3), code('invalid_jacobian'));
    assert.throws(() => gaussNewtonSpectrum(new Float64Array(4), 2, 2, { rowWeights: [1, -1] }), code('invalid_jacobian'));
  });

  it('gives zeros and ranks 0 for a zero Jacobian', () => {
    const spectrum = gaussNewtonSpectrum(new Float64Array(6), 2, 3);
    assert.deepEqual([spectrum.srank, spectrum.effectiveRank, spectrum.numericalRank, spectrum.largestEigenvalue], [0, 0, 0, 0]);
  });
});
