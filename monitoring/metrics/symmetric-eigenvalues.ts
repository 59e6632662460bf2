/**
 * Eigenvalues (no eigenvectors) of a real symmetric matrix: Householder reduction to tridiagonal
 * form, then the implicit QL iteration — the tred2/tql2 pair of EISPACK and JAMA, which is also
 * what ml-matrix's `EigenvalueDecomposition` runs. Deliberate deviation: ml-matrix always
 * accumulates eigenvectors through `Matrix.get/set` (measured 2–5 s for 512 × 512); the monitor
 * only needs the spectrum, so this copy skips the vectors and works on one flat Float64Array
 * (~20× faster). test/monitoring/metrics/symmetric-eigenvalues.test.ts checks it against ml-matrix.
 * Matrices from NATIVE_EIGEN_MIN_SIZE up go to LAPACK's dsyev when the addon has it (native-spectral.ts);
 * this routine stays the fallback and the reference.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { NATIVE_EIGEN_MIN_SIZE, nativeSpectralKernels } from './native-spectral.ts';

const MAX_QL_ITERATIONS = 60;

/**
 * Returns the n eigenvalues of the symmetric n × n matrix `matrix` (row-major) in descending
 * order. Only the lower triangle is read. `matrix` is used as scratch space and destroyed.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  assertSquare(matrix, n);
  const native = n >= NATIVE_EIGEN_MIN_SIZE ? nativeSpectralKernels() : null;
  if (native !== null) {
    const values = new Float64Array(n);
    const info = native.symmetricEigenvalues(matrix, n, values);
    if (info !== 0) throw new PlasticdError('eigenvalues_not_converged', `symmetricEigenvalues: LAPACK dsyev did not converge (info ${info}) on a ${n}×${n} matrix; the input probably holds huge or non-finite values`);
    return values.reverse();
  }
  return symmetricEigenvaluesJs(matrix, n);
}

/** symmetricEigenvalues in JS (the fallback, and the reference the native kernel is tested against). */
export function symmetricEigenvaluesJs(matrix: Float64Array, n: number): Float64Array {
  assertSquare(matrix, n);
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  if (n === 0) return diagonal;
  tridiagonalize(matrix, n, diagonal, offDiagonal);
  tridiagonalQl(diagonal, offDiagonal, n);
  return diagonal.sort().reverse();
}

function assertSquare(matrix: Float64Array, n: number): void {
  if (matrix.length !== n * n) {
    throw new PlasticdError('invalid_matrix_shape', `symmetricEigenvalues: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  }
}

/**
 * Householder tridiagonalisation, eigenvalues-only (Numerical Recipes' tred2 without `yesvecs`).
 * Works on the lower triangle only, row by row (the upper triangle is never read).
 * On return d holds the diagonal and e[i] the sub-diagonal element (i, i−1); e[0] = 0.
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const rowI = i * n;
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(a[rowI + k]);
      if (scale === 0) {
        e[i] = a[rowI + l];
      } else {
        for (let k = 0; k < i; k++) {
          const v = a[rowI + k] / scale;
          a[rowI + k] = v;
          h += v * v;
        }
        let f = a[rowI + l];
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[rowI + l] = f - g;
        // p = A·u / h (stored in e[0..i−1]), K = uᵀp / 2h, q = p − K·u, A ← A − u qᵀ − q uᵀ.
        // Only the lower triangle is read and written; both loops run along rows.
        for (let j = 0; j < i; j++) e[j] = 0;
        for (let j = 0; j < i; j++) {
          const rowJ = j * n;
          const uj = a[rowI + j];
          let sum = a[rowJ + j] * uj;
          for (let k = 0; k < j; k++) {
            const ajk = a[rowJ + k];
            sum += ajk * a[rowI + k];
            e[k] += ajk * uj;
          }
          e[j] += sum;
        }
        f = 0;
        for (let j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * a[rowI + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) e[j] -= hh * a[rowI + j];
        for (let j = 0; j < i; j++) {
          const rowJ = j * n;
          const uj = a[rowI + j];
          const qj = e[j];
          for (let k = 0; k <= j; k++) a[rowJ + k] -= uj * e[k] + qj * a[rowI + k];
        }
      }
    } else {
      e[i] = a[rowI + l];
    }
    d[i] = h;
  }
  e[0] = 0;
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
}

/** Implicit QL with Wilkinson-style shifts on the tridiagonal (d, e); eigenvalues land in d. */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iterations > MAX_QL_ITERATIONS) {
        throw new PlasticdError('eigenvalues_not_converged', `symmetricEigenvalues: QL iteration did not converge for eigenvalue ${l} of ${n}; the input probably holds huge or non-finite values`);
      }
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
