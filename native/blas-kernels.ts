/**
 * The 'cpu-blas' tfjs backend: the pure-JS cpu backend with BatchMatMul and _FusedMatMul replaced by
 * OpenBLAS sgemm through the optional addon native/build/plasticd_blas.node (`npm run build:native`).
 * It is registered under its own name, copying every other cpu kernel, so plain 'cpu' stays the
 * untouched oracle. Shapes or dtypes the fast path does not cover call the original cpu kernel.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export interface BlasAddon {
  /** C = op(A)·op(B); vector shapes (m, n or k = 1) go to sgemv/sger. */
  sgemm(
    transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number,
    a: Float32Array, aStride: number, b: Float32Array, bStride: number, c: Float32Array,
  ): void;
  setThreads(threads: number): void;
  info(): { available: boolean; library: string; config: string; threads: number; error: string };
  /** The typed engine's element-wise kernels (native/step-kernels.c); absent from builds older than them. */
  biasActivate?: unknown;
  backwardHidden?: unknown;
  adam?: unknown;
  sgd?: unknown;
  weightRows?: unknown;
  /** The window metrics' float64 kernels (native/spectral-kernels.c); absent without LAPACK or in older builds. */
  gramProduct?: unknown;
  symmetricEigenvalues?: unknown;
}

export interface BlasKernelInfo {
  available: boolean;
  /** What was loaded ("OpenBLAS … via libopenblas.so.0, 1 thread") or why not. */
  reason: string;
  library?: string;
  config?: string;
  threads?: number;
}

export const ADDON_PATH = fileURLToPath(new URL('./build/plasticd_blas.node', import.meta.url));

let addon: BlasAddon | null | undefined;
let addonError = '';

/** Loads the addon once; null (with the reason in blasStatus()) when it is missing or has no BLAS. */
export function loadBlasAddon(): BlasAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (!existsSync(ADDON_PATH)) {
    addonError = `native addon not built (${ADDON_PATH}; run npm run build:native)`;
    return null;
  }
  try {
    const loaded = createRequire(import.meta.url)(ADDON_PATH) as BlasAddon;
    const info = loaded.info();
    if (!info.available) {
      addonError = `native addon built but no BLAS library found (${info.error}; apt-get install libopenblas0)`;
      return null;
    }
    loaded.setThreads(1);
    addon = loaded;
  } catch (error) {
    addonError = `native addon failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return addon;
}

export function blasStatus(): BlasKernelInfo {
  const lib = loadBlasAddon();
  if (lib === null) return { available: false, reason: addonError };
  const info = lib.info();
  const config = info.config.trim();
  return {
    available: true,
    reason: `BLAS matmul (${config || 'cblas'} via ${info.library}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`,
    library: info.library,
    config,
    threads: info.threads,
  };
}

export interface RegisterBlasOptions {
  backendName: string;
  /** The backend whose kernels are copied (the JS cpu backend). */
  sourceBackend: string;
  createBackend: () => MathBackendCPU;
}

const registered = new Set<string>();

/** Registers the BLAS-backed backend once; returns why it is unavailable otherwise. */
export function registerBlasKernels(options: RegisterBlasOptions): BlasKernelInfo {
  const status = blasStatus();
  const lib = addon;
  if (!status.available || lib == null) return status;
  if (registered.has(options.backendName)) return status;
  tf.registerBackend(options.backendName, options.createBackend, 0);
  for (const kernel of tf.getKernelsForBackend(options.sourceBackend)) {
    let kernelFunc = kernel.kernelFunc;
    if (kernel.kernelName === tf.BatchMatMul) kernelFunc = batchMatMulKernel(lib, kernel.kernelFunc);
    else if (kernel.kernelName === tf._FusedMatMul) kernelFunc = fusedMatMulKernel(lib, kernel.kernelFunc);
    const config: KernelConfig = { ...kernel, backendName: options.backendName, kernelFunc };
    tf.registerKernel(config);
  }
  registered.add(options.backendName);
  return status;
}

interface Product {
  values: Float32Array;
  shape: number[];
  /** Rows × columns of one output matrix (for bias broadcasting). */
  columns: number;
}

/** C = op(A)·op(B) with batch broadcasting where one side has batch 1; null when not covered. */
function blasProduct(lib: BlasAddon, backend: MathBackendCPU, a: TensorInfo, b: TensorInfo, attrs: NamedAttrMap): Product | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const av = backend.data.get(a.dataId).values;
  const bv = backend.data.get(b.dataId).values;
  if (!(av instanceof Float32Array) || !(bv instanceof Float32Array)) return null;
  const transA = attrs.transposeA === true;
  const transB = attrs.transposeB === true;
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kB = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kB) return null; // the cpu kernel throws the proper error
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((p, d) => p * d, 1);
  const batchB = outerB.reduce((p, d) => p * d, 1);
  const rank = Math.max(outerA.length, outerB.length);
  let outer: number[];
  if (stripLeadingOnes(outerA).join() === stripLeadingOnes(outerB).join()) outer = padShape(outerA.length >= outerB.length ? outerA : outerB, rank);
  else if (batchB === 1) outer = padShape(outerA, rank);
  else if (batchA === 1) outer = padShape(outerB, rank);
  else return null;
  const batch = Math.max(batchA, batchB);
  const values = new Float32Array(batch * m * n);
  lib.sgemm(transA, transB, batch, m, n, k, av, batchA === 1 ? 0 : m * k, bv, batchB === 1 ? 0 : k * n, values);
  return { values, shape: [...outer, m, n], columns: n };
}

function stripLeadingOnes(shape: number[]): number[] {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  return shape.slice(i);
}

function padShape(shape: number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

function batchMatMulKernel(lib: BlasAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a, b } = args.inputs;
    const product = a !== undefined && b !== undefined ? blasProduct(lib, backend, a, b, args.attrs ?? {}) : null;
    if (product === null) return fallback(args);
    return backend.makeTensorInfo(product.shape, 'float32', product.values);
  };
}

/** Matmul, bias and activation in one pass over the output; prelu and odd bias shapes fall back. */
function fusedMatMulKernel(lib: BlasAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as MathBackendCPU;
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs ?? {};
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (a === undefined || b === undefined || preluActivationWeights !== undefined || !FUSED_ACTIVATIONS.has(activation)) {
      return fallback(args);
    }
    let biasValues: Float32Array | null = null;
    if (bias !== undefined) {
      const values = bias.dtype === 'float32' ? backend.data.get(bias.dataId).values : null;
      if (!(values instanceof Float32Array)) return fallback(args);
      biasValues = values;
    }
    const product = blasProduct(lib, backend, a, b, attrs);
    if (product === null) return fallback(args);
    const out = product.values;
    if (biasValues !== null) {
      const n = product.columns;
      if (biasValues.length === 1) {
        const v = biasValues[0];
        for (let i = 0; i < out.length; i++) out[i] += v;
      } else if (biasValues.length === n) {
        for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] += biasValues[j];
      } else if (biasValues.length === out.length) {
        for (let i = 0; i < out.length; i++) out[i] += biasValues[i];
      } else {
        return fallback(args);
      }
    }
    applyActivation(out, activation, (attrs.leakyreluAlpha as number | undefined) ?? 0.2);
    return backend.makeTensorInfo(product.shape, 'float32', out);
  };
}

const FUSED_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu']);

function applyActivation(out: Float32Array, activation: string, alpha: number): void {
  switch (activation) {
    case 'relu':
      for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
      return;
    case 'relu6':
      for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i], 0), 6);
      return;
    case 'leakyrelu':
      for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] *= alpha;
      return;
    case 'sigmoid':
      for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
      return;
    case 'elu':
      for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = Math.exp(out[i]) - 1;
      return;
    default:
      return;
  }
}
