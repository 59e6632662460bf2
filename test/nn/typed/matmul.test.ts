import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.ts';
import { MatMul, matmulNN, matmulNT, matmulTN } from '../../../src/nn/typed/matmul.ts';
import { loadBlasAddon } from '../../../native/blas-kernels.ts';
import { assertClose, randomArray } from '../reference-mlp.ts';

/** C = op(A)·op(B) in float64, A stored [m×k] (or [k×m] transposed), B [k×n] (or [n×k]). */
function naive(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

describe('typed matmul kernels', () => {
  const rng = new Rng(4);
  // Odd sizes exercise the unroll remainders; zeros exercise the sparse skip.
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [1, 256, 20], [32, 9, 13], [17, 4, 64]] as const) {
    it(`JS products match float64 for ${m}×${k}·${k}×${n} in every transpose form`, () => {
      const a = randomArray(m * k, rng).map((v, i) => (i % 5 === 0 ? 0 : v));
      const b = randomArray(k * n, rng);
      const c = new Float32Array(m * n + 3).fill(9); // longer than needed: only the leading part is written
      matmulNN(m, n, k, a, b, c);
      assertClose(c.subarray(0, m * n), naive(false, false, m, n, k, a, b), 1e-5, 1e-5, 'NN');
      matmulTN(m, n, k, a, b, c);
      assertClose(c.subarray(0, m * n), naive(true, false, m, n, k, a, b), 1e-5, 1e-5, 'TN');
      matmulNT(m, n, k, a, b, c);
      assertClose(c.subarray(0, m * n), naive(false, true, m, n, k, a, b), 1e-5, 1e-5, 'NT');
      assert.equal(c[m * n], 9);
    });
  }

  it('routes large products to BLAS when the addon is built, with the same results', (t) => {
    if (loadBlasAddon() === null) {
      t.skip('native BLAS addon not built');
      return;
    }
    const blas = new MatMul(true, 1);
    const js = new MatMul(false);
    assert.equal(blas.usesBlas, true);
    assert.equal(js.usesBlas, false);
    const [m, n, k] = [8, 33, 65];
    const a = randomArray(m * k, rng);
    const b = randomArray(k * n, rng);
    const bt = randomArray(n * k, rng);
    const at = randomArray(k * m, rng);
    const c1 = new Float32Array(m * n);
    const c2 = new Float32Array(m * n);
    blas.nn(m, n, k, a, b, c1);
    js.nn(m, n, k, a, b, c2);
    assertClose(c1, c2, 1e-5, 1e-5, 'NN');
    blas.tn(m, n, k, at, b, c1);
    js.tn(m, n, k, at, b, c2);
    assertClose(c1, c2, 1e-5, 1e-5, 'TN');
    blas.nt(m, n, k, a, bt, c1);
    js.nt(m, n, k, a, bt, c2);
    assertClose(c1, c2, 1e-5, 1e-5, 'NT');
  });

  it('computes vector shapes (m, n or k = 1: the gemv/ger routes) through BLAS like float64, in every transpose form', (t) => {
    if (loadBlasAddon() === null) {
      t.skip('native BLAS addon not built');
      return;
    }
    const blas = new MatMul(true, 1);
    for (const [m, n, k] of [[1, 37, 20], [19, 1, 23], [21, 17, 1], [1, 1, 9], [1, 5, 1]] as const) {
      const a = randomArray(m * k, rng);
      const b = randomArray(k * n, rng);
      const c = new Float32Array(m * n + 2).fill(7);
      blas.nn(m, n, k, a, b, c);
      assertClose(c.subarray(0, m * n), naive(false, false, m, n, k, a, b), 1e-5, 1e-5, `NN ${m}x${n}x${k}`);
      c.fill(7);
      blas.tn(m, n, k, a, b, c); // a read as [k × m]
      assertClose(c.subarray(0, m * n), naive(true, false, m, n, k, a, b), 1e-5, 1e-5, `TN ${m}x${n}x${k}`);
      c.fill(7);
      blas.nt(m, n, k, a, b, c); // b read as [n × k]
      assertClose(c.subarray(0, m * n), naive(false, true, m, n, k, a, b), 1e-5, 1e-5, `NT ${m}x${n}x${k}`);
      assert.deepEqual([...c.subarray(m * n)], [7, 7], 'nothing written past m·n');
    }
  });
});
