/**
 * The native element-wise kernels of the typed engine (native/step-kernels.c, in the optional
 * OpenBLAS addon): typed signatures, the activation codes, and the loader that returns null when the
 * addon is missing or predates the kernels. Every kernel computes the same float64 expressions as its
 * JS twin in step-kernels.ts / optimizers.ts (bit-identical parameters and statistics; only the
 * vectorised Σg², ΣΔ² and row-mean |W| sums may differ in the last bits).
 */
import { loadBlasAddon } from '../../../native/blas-kernels.ts';
import type { Activation } from '../types.ts';

export interface NativeStepKernels {
  /** z ← z + bias (per row), a ← φ(z) for the codes of FORWARD_CODES. */
  biasActivate(kind: number, batch: number, n: number, z: Float32Array, bias: Float32Array, a: Float32Array): void;
  /**
   * da ← da·mask, dz ← da·φ'(·), dBias ← Σ_rows dz, and with `stats` the activation rows 0..6 of the
   * StepTrace (trace-stats.ts activationRows) accumulated in `scratch` (≥ 7n float64).
   */
  backwardHidden(
    kind: number, batch: number, n: number, y: Float32Array, a: Float32Array, da: Float32Array, dz: Float32Array,
    mask: Float32Array | null, dBias: Float32Array | null, stats: Float32Array | null, reference: Float32Array | null, scratch: Float64Array,
  ): void;
  /** optimizers.ts adamLoop (resetAt null) or adamLoopPerElement over [from, to). */
  adam(
    from: number, to: number, gradient: Float32Array, parameters: Float32Array, m: Float32Array, v: Float32Array,
    scalars: Float64Array, acc: Float64Array, resetAt: Int32Array | null, c1: Float64Array | null, c2: Float64Array | null,
  ): void;
  /** optimizer-loops.ts adamLoopRows over [from, to) of the block at `offset`, `cols` wide; absent from builds older than it. */
  adamRows?(
    from: number, to: number, offset: number, cols: number, gradient: Float32Array, parameters: Float32Array, m: Float32Array, v: Float32Array,
    rowC1: Float64Array, rowC2: Float64Array, colC1: Float64Array, colC2: Float64Array, scalars: Float64Array, acc: Float64Array,
  ): void;
  /** optimizers.ts sgdLoop over [from, to). */
  sgd(from: number, to: number, gradient: Float32Array, parameters: Float32Array, buffer: Float32Array | null, scalars: Float64Array, acc: Float64Array): void;
  /** Mean |W| per column (incoming, via float64 `columns`) and per row (outgoing) of a kernel [fanIn × fanOut]. */
  weightRows(fanIn: number, fanOut: number, kernel: Float32Array, columns: Float64Array, incoming: Float32Array | null, outgoing: Float32Array | null): void;
}

/** Activation codes of step-kernels.c; activations absent here (exp/erf based) stay in JS. */
export const BACKWARD_CODES: Partial<Record<Activation, number>> = { linear: 0, relu: 1, leaky_relu: 2, tanh: 3, sigmoid: 4, elu: 5 };
export const FORWARD_CODES: Partial<Record<Activation, number>> = { linear: 0, relu: 1, leaky_relu: 2 };

let cached: NativeStepKernels | null | undefined;

export function loadNativeStepKernels(): NativeStepKernels | null {
  if (cached !== undefined) return cached;
  const addon = loadBlasAddon();
  const ok = addon !== null && ['biasActivate', 'backwardHidden', 'adam', 'sgd', 'weightRows'].every((name) => typeof (addon as unknown as Record<string, unknown>)[name] === 'function');
  cached = ok ? (addon as unknown as NativeStepKernels) : null;
  return cached;
}
