import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symmetricEigenvalues as dispatched, symmetricEigenvaluesJs } from '../../../monitoring/metrics/symmetric-eigenvalues.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = rng.normal();
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return a;
}

// The dispatching entry point (LAPACK from 12×12 up when the addon has it) and the JS routine pass the same tests.
for (const [label, symmetricEigenvalues] of [['symmetricEigenvalues', dispatched], ['symmetricEigenvaluesJs', symmetricEigenvaluesJs]] as const) {
describe(label, () => {
  it('returns the eigenvalues of [[2, 1], [1, 2]] as 3 and 1', () => {
    const values = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2);
    assert.ok(Math.abs(values[0] - 3) < 1e-14 && Math.abs(values[1] - 1) < 1e-14, `got ${values}`);
  });

  it('returns a diagonal matrix\'s entries in descending order', () => {
    const a = new Float64Array(16);
    [0.5, -2, 7, 3].forEach((value, k) => (a[k * 4 + k] = value));
    assert.deepEqual(Array.from(symmetricEigenvalues(a, 4)), [7, 3, 0.5, -2]);
  });

  it('agrees with ml-matrix EigenvalueDecomposition on random symmetric matrices, indefinite included', () => {
    const rng = new Rng(7);
    for (const n of [1, 3, 17, 60]) {
      const a = randomSymmetric(rng, n);
      const reference = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)))), {
        assumeSymmetric: true,
      }).realEigenvalues.sort((x, y) => y - x);
      const ours = symmetricEigenvalues(a, n);
      const scale = Math.max(...reference.map(Math.abs));
      for (let k = 0; k < n; k++) assert.ok(Math.abs(ours[k] - reference[k]) <= 1e-12 * scale, `n=${n} k=${k}: ${ours[k]} vs ${reference[k]}`);
    }
  });

  it('reads only the lower triangle', () => {
    const rng = new Rng(3);
    const a = randomSymmetric(rng, 12);
    const expected = symmetricEigenvalues(new Float64Array(a), 12);
    for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) a[i * 12 + j] = 1e6;
    assert.deepEqual(Array.from(symmetricEigenvalues(a, 12)), Array.from(expected));
  });

  it('gives all zeros for the zero matrix and nothing for size 0', () => {
    assert.deepEqual(Array.from(symmetricEigenvalues(new Float64Array(9), 3)), [0, 0, 0]);
    assert.equal(symmetricEigenvalues(new Float64Array(0), 0).length, 0);
  });

  it('rejects an array whose length is not size²', () => {
    assert.throws(() => symmetricEigenvalues(new Float64Array(5), 2), (error: unknown) => error instanceof PlasticdError && error.code === 'invalid_matrix_shape');
  });
});
}
