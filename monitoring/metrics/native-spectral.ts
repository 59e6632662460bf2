/**
 * The window metrics' dense linear algebra through the optional native addon (native/spectral-kernels.c:
 * OpenBLAS's dsyrk and LAPACK's dsyev), or null where the addon, or LAPACK in its BLAS library, is
 * missing. The JS routines in gram-matrix.ts and symmetric-eigenvalues.ts stay the fallback and the
 * reference: the native Gram sums in another order and dsyev uses another QL variant, so values agree
 * to rounding (test/monitoring/metrics/native-spectral.test.ts), not bit for bit. A 256-unit layer's
 * window spectrum drops from ~50 ms to ~5 ms (bench/monitor.bench.ts).
 * PLASTICD_NATIVE_SPECTRAL=0 forces the JS routines.
 */
import { loadBlasAddon } from '../../native/blas-kernels.ts';

export interface NativeSpectralKernels {
  /** out = X Xᵀ, X row-major [count × length], full symmetric result. */
  gramProduct(x: Float64Array, count: number, length: number, out: Float64Array): void;
  /** Eigenvalues of the symmetric n × n `a` (lower triangle read, `a` destroyed), ascending in `out`; returns LAPACK's info (0 = converged). */
  symmetricEigenvalues(a: Float64Array, n: number, out: Float64Array): number;
}

/** Below these sizes an addon call costs more than the JS loop it replaces. */
export const NATIVE_GRAM_MIN_PRODUCTS = 16_384;
export const NATIVE_EIGEN_MIN_SIZE = 12;

let cached: NativeSpectralKernels | null | undefined;

export function nativeSpectralKernels(): NativeSpectralKernels | null {
  if (cached !== undefined) return cached;
  const addon = process.env.PLASTICD_NATIVE_SPECTRAL === '0' ? null : (loadBlasAddon() as unknown as Record<string, unknown> | null);
  cached = addon !== null && typeof addon.gramProduct === 'function' && typeof addon.symmetricEigenvalues === 'function' ? (addon as unknown as NativeSpectralKernels) : null;
  return cached;
}
