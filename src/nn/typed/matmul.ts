/**
 * Row-major single-precision matrix products for the typed-array engine: C = op(A)·op(B), C
 * overwritten. Small products run in plain JS (i-k-j order for A·B and Aᵀ·B so the inner loop
 * streams rows of B and C, dot products of rows for A·Bᵀ, all 4-wide unrolled); products of at
 * least `blasThreshold` multiply-adds go to OpenBLAS cblas_sgemm through the optional addon
 * (native/, same loader as the cpu-blas backend), zero copy on the Float32Arrays. Operands may be
 * longer than the shapes need (buffers sized for the largest batch); only the leading part is used.
 */
import { loadBlasAddon } from '../../../native/blas-kernels.ts';

type BlasAddon = NonNullable<ReturnType<typeof loadBlasAddon>>;

/**
 * Multiply-adds (m·n·k) from which BLAS is used. Measured with bench/nn.bench.ts on the 2-core dev
 * box: the addon call costs ~1–2 µs, JS runs ~1–2 GFLOP/s, OpenBLAS 1 thread ~20–40 GFLOP/s, so
 * BLAS wins from a few thousand multiply-adds.
 */
export const DEFAULT_BLAS_THRESHOLD = 4096;

export class MatMul {
  private readonly blas: BlasAddon | null;

  constructor(
    useBlas: boolean,
    readonly blasThreshold = DEFAULT_BLAS_THRESHOLD,
  ) {
    this.blas = useBlas ? loadBlasAddon() : null;
  }

  get usesBlas(): boolean {
    return this.blas !== null;
  }

  /** C[m×n] = A[m×k]·B[k×n]. */
  nn(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
    if (this.blas !== null && m * n * k >= this.blasThreshold) this.blas.sgemm(false, false, 1, m, n, k, a, 0, b, 0, c);
    else matmulNN(m, n, k, a, b, c);
  }

  /** C[m×n] = Aᵀ·B with A stored [k×m], B [k×n]. */
  tn(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
    if (this.blas !== null && m * n * k >= this.blasThreshold) this.blas.sgemm(true, false, 1, m, n, k, a, 0, b, 0, c);
    else matmulTN(m, n, k, a, b, c);
  }

  /** C[m×n] = A·Bᵀ with A stored [m×k], B [n×k]. */
  nt(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
    if (this.blas !== null && m * n * k >= this.blasThreshold) this.blas.sgemm(false, true, 1, m, n, k, a, 0, b, 0, c);
    else matmulNT(m, n, k, a, b, c);
  }
}

/** C[m×n] = A[m×k]·B[k×n], i-k-j order (zero entries of A are skipped: ReLU inputs are sparse). */
export function matmulNN(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const n4 = n - (n & 3);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    // A loop, not c.fill: a builtin call per row cost more than the row itself for narrow C (~2× on 512×1×5).
    for (let j = 0; j < n; j++) c[ci + j] = 0;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const s = a[ai + p];
      if (s === 0) continue;
      const bp = p * n;
      let j = 0;
      for (; j < n4; j += 4) {
        c[ci + j] += s * b[bp + j];
        c[ci + j + 1] += s * b[bp + j + 1];
        c[ci + j + 2] += s * b[bp + j + 2];
        c[ci + j + 3] += s * b[bp + j + 3];
      }
      for (; j < n; j++) c[ci + j] += s * b[bp + j];
    }
  }
}

/** C[m×n] = Aᵀ·B, A stored [k×m], B [k×n]: rank-1 updates row by row. */
export function matmulTN(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
  c.fill(0, 0, m * n);
  const n4 = n - (n & 3);
  for (let p = 0; p < k; p++) {
    const ap = p * m;
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const s = a[ap + i];
      if (s === 0) continue;
      const ci = i * n;
      let j = 0;
      for (; j < n4; j += 4) {
        c[ci + j] += s * b[bp + j];
        c[ci + j + 1] += s * b[bp + j + 1];
        c[ci + j + 2] += s * b[bp + j + 2];
        c[ci + j + 3] += s * b[bp + j + 3];
      }
      for (; j < n; j++) c[ci + j] += s * b[bp + j];
    }
  }
}

/** C[m×n] = A·Bᵀ, A stored [m×k], B [n×k]: dot products of rows, four accumulators. */
export function matmulNT(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const k4 = k - (k & 3);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p < k4; p += 4) {
        s0 += a[ai + p] * b[bj + p];
        s1 += a[ai + p + 1] * b[bj + p + 1];
        s2 += a[ai + p + 2] * b[bj + p + 2];
        s3 += a[ai + p + 3] * b[bj + p + 3];
      }
      for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
      c[i * n + j] = s0 + s1 + s2 + s3;
    }
  }
}
