/**
 * TF.js backend selection for plasticd. 'auto' tries, fastest first: tfjs-node-gpu, tfjs-node (both
 * optional, user-installed, loaded with a dynamic import), wasm (its .wasm files read from
 * node_modules by file path, matmul kernels patched below), the OpenBLAS-backed 'cpu-blas'
 * (optional native addon, native/), then the pure-JS cpu backend, which always works and stays
 * the test oracle.
 * `PLASTICD_BACKEND` or the `backend` option forces one; a forced backend that cannot load throws.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { PlasticdError } from '../util/errors.ts';
import { registerBlasKernels, type BlasKernelInfo } from '../../native/blas-kernels.ts';

/** In 'auto' order, fastest first (measured: bench/nn.bench.ts; cpu-blas loses to wasm on every shape). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu-blas', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;

export interface BackendCandidate {
  name: BackendName;
  available: boolean;
  /** Why it was (not) usable, e.g. the import error. Empty when it was not tried. */
  reason: string;
}

export interface BackendInfo {
  /** The plasticd backend name (what the user asks for). */
  name: BackendName;
  /** The tfjs backend name it runs on (`tensorflow` for both tfjs-node variants). */
  tfjsBackend: string;
  /** One line for logs and build_info: why this one was chosen. */
  reason: string;
  /** Every backend considered, in the order tried. */
  candidates: BackendCandidate[];
  /** For 'cpu-blas': the BLAS library and its configuration. */
  blas?: BlasKernelInfo;
}

export interface InitBackendOptions {
  backend?: BackendChoice;
  /** Environment to read PLASTICD_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Told once per fresh selection (never by default: the caller logs the returned info). */
  log?: (message: string) => void;
}

const require = createRequire(import.meta.url);
/** In-flight or finished initialisations, keyed by the resolved request. */
const pending = new Map<BackendChoice, Promise<BackendInfo>>();
let current: BackendInfo | null = null;

/** The backend the last successful initBackend selected, or null before any. */
export function currentBackend(): BackendInfo | null {
  return current;
}

export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Selects and activates a backend. Calling it again with the same request returns the same
 * result without re-initialising; a different request switches the active backend.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  registerGradients();
  const requested = resolveRequest(options);
  let promise = pending.get(requested);
  if (promise === undefined) {
    promise = select(requested);
    pending.set(requested, promise);
    promise.then(
      (info) => options.log?.(`tfjs backend ${info.name}: ${info.reason}`),
      () => pending.delete(requested),
    );
  }
  const info = await promise;
  if (tf.getBackend() !== info.tfjsBackend) {
    // Another request switched away in between; switch back (the backend is already initialised).
    await tf.setBackend(info.tfjsBackend);
  }
  current = info;
  return info;
}

let gradientsRegistered = false;

/**
 * @tensorflow/tfjs-core's Node bundle ships no gradient functions (the tfjs union package adds
 * them); without this, tf.grad / variableGrads / optimizer.minimize throw "gradient function not
 * found". The registration module exists only as ES modules with extensionless imports, which
 * Node's ESM loader rejects, so it is loaded through require (tsx transpiles it). The gradient
 * registry is a tfjs global, shared with the bundle we import. Idempotent.
 */
export function registerGradients(): void {
  if (gradientsRegistered) return;
  try {
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
  } catch (error) {
    throw new PlasticdError(
      'backend_gradients',
      `Could not register TF.js gradient functions (${errorText(error)}); run plasticd through tsx (npm start).`,
    );
  }
  gradientsRegistered = true;
}

function resolveRequest(options: InitBackendOptions): BackendChoice {
  const env = options.env ?? process.env;
  const fromEnv = env.PLASTICD_BACKEND?.trim();
  const requested = options.backend ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if (!isBackendChoice(requested)) {
    const source = options.backend !== undefined ? 'the backend option' : 'PLASTICD_BACKEND';
    throw new PlasticdError(
      'invalid_backend',
      `Unknown backend '${requested}' from ${source}; expected one of auto, ${BACKEND_NAMES.join(', ')}.`,
    );
  }
  return requested;
}

async function select(requested: BackendChoice): Promise<BackendInfo> {
  const order: readonly BackendName[] = requested === 'auto' ? BACKEND_NAMES : [requested];
  const candidates: BackendCandidate[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name);
    candidates.push({ name, available: attempt.ok, reason: attempt.reason });
    if (attempt.ok) {
      const why = requested === 'auto' ? `auto: fastest available (${attempt.reason})` : `forced: ${attempt.reason}`;
      const info: BackendInfo = { name, tfjsBackend: attempt.tfjsBackend, reason: why, candidates };
      if (attempt.blas !== undefined) info.blas = attempt.blas;
      return info;
    }
  }
  const tried = candidates.map((c) => `${c.name}: ${c.reason}`).join('; ');
  throw new PlasticdError(
    'backend_unavailable',
    requested === 'auto'
      ? `No TF.js backend could be initialised (${tried}).`
      : `Backend '${requested}' was requested (option or PLASTICD_BACKEND) but cannot be used: ${tried}. ` +
          `Use 'auto' or another backend.`,
    { candidates },
  );
}

interface Attempt {
  ok: boolean;
  reason: string;
  tfjsBackend: string;
  blas?: BlasKernelInfo;
}

async function tryBackend(name: BackendName): Promise<Attempt> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        return await tryTfjsNode('@tensorflow/tfjs-node-gpu');
      case 'tensorflow':
        return await tryTfjsNode('@tensorflow/tfjs-node');
      case 'cpu-blas':
        return await tryCpuBlas();
      case 'wasm':
        return await tryWasm();
      case 'cpu':
        return await activate('cpu', 'pure-JS cpu backend');
    }
  } catch (error) {
    return { ok: false, reason: errorText(error), tfjsBackend: '' };
  }
}

/** tfjs-node and tfjs-node-gpu both register the tfjs backend 'tensorflow'; they are not dependencies. */
async function tryTfjsNode(pkg: string): Promise<Attempt> {
  const loaded = tf.findBackend('tensorflow') !== null;
  if (!loaded) {
    try {
      // A variable specifier keeps TypeScript and bundlers from resolving the optional package.
      const specifier: string = pkg;
      await import(specifier);
    } catch (error) {
      const text = errorText(error);
      const missing = /Cannot find (module|package)/.test(text);
      return { ok: false, reason: missing ? `${pkg} is not installed` : `${pkg} failed to load: ${text}`, tfjsBackend: '' };
    }
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      reason: `${pkg} loaded but registered into another copy of @tensorflow/tfjs-core (install a matching 4.22 version)`,
      tfjsBackend: '',
    };
  }
  return activate('tensorflow', `${pkg} (libtensorflow)`);
}

async function tryWasm(): Promise<Attempt> {
  // Point the loader at the package's own dist folder by file path (no fetch, no bundler guesswork).
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  const simd = join(dist, 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(simd)) return { ok: false, reason: `no .wasm files in ${dist}`, tfjsBackend: '' };
  if (tf.findBackend('wasm') === null) {
    try {
      setWasmPaths(`${dist}/`);
    } catch {
      // Already initialised once (setWasmPaths refuses after init); the paths are set.
    }
  }
  patchWasmMatMul();
  patchWasmSlice();
  return activate('wasm', 'wasm backend (XNNPACK, SIMD, single thread)');
}

/** Below this many output rows, A·Bᵀ stays on the slow loop: repacking a fresh Bᵀ costs more. */
export const WASM_EXPLICIT_TRANSPOSE_MIN_ROWS = 8;
/** Smaller weight matrices pack cheaply; there the extra Add/Relu calls of the row path cost more. */
export const WASM_ROW_PATH_MIN_WEIGHTS = 2048;
let wasmPatched = false;

/**
 * Two measured fixes to the wasm matmul kernels (bench/profile-step.ts; numbers in the report):
 * 1. BatchMatMul uses XNNPACK only without transposes; otherwise a plain loop 5-20x slower
 *    (ecosystem.md §1.5), and every dense backward pass multiplies transposed matrices.
 *    Transposing explicitly (wasm Transpose) and taking the XNNPACK path wins for Aᵀ·B always and
 *    for A·Bᵀ from about 8 output rows (below that, packing the fresh Bᵀ costs more).
 * 2. XNNPACK re-packs B whenever its tensor changes, i.e. after every optimizer update; for one
 *    row (batch-1 forward) packing costs ~8x the product. There (B with ≥ 2048 entries) x·B is (Bᵀ·xᵀ)ᵀ on
 *    the plain loop (a [n, 1] result has the [1, n] layout, so no copy), bias and activation by
 *    the wasm Add/Relu kernels.
 * Rank-2 only; everything else goes to the original kernels. The tape never sees these details.
 */
function patchWasmMatMul(): void {
  // PLASTICD_WASM_KERNEL_PATCHES=0 keeps the stock kernels (to measure the patch or rule it out).
  if (wasmPatched || process.env.PLASTICD_WASM_KERNEL_PATCHES === '0') return;
  const matMulConfig = tf.getKernel(tf.BatchMatMul, 'wasm');
  const fusedConfig = tf.getKernel(tf._FusedMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm')?.kernelFunc;
  const add = tf.getKernel(tf.Add, 'wasm')?.kernelFunc;
  const relu = tf.getKernel(tf.Relu, 'wasm')?.kernelFunc;
  if (!matMulConfig || !fusedConfig || !transpose || !add || !relu) return;
  const matMul = matMulConfig.kernelFunc;
  const fused = fusedConfig.kernelFunc;

  /** Rank 2, or rank 3 with batch 1 (tf.fused.matMul reshapes to rank 3), viewed as rank 2. */
  const view2d = (t: tf.TensorInfo | undefined): tf.TensorInfo | null => {
    if (t === undefined || t.dtype !== 'float32') return null;
    if (t.shape.length === 2) return t;
    if (t.shape.length === 3 && t.shape[0] === 1) return { dataId: t.dataId, dtype: t.dtype, shape: t.shape.slice(1) };
    return null;
  };
  const restoreRank = (out: tf.TensorInfo, like: tf.TensorInfo): tf.TensorInfo =>
    like.shape.length === 3 ? { dataId: out.dataId, dtype: out.dtype, shape: [1, ...out.shape.slice(-2)] } : out;
  /** x [1, k] · B [k, n] on the plain loop, as (Bᵀ·xᵀ)ᵀ. */
  const rowTimesMatrix = (x: tf.TensorInfo, b: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo => {
    const out = matMul({ inputs: { a: b, b: x }, attrs: { transposeA: true, transposeB: true }, backend }) as tf.TensorInfo;
    return { dataId: out.dataId, dtype: out.dtype, shape: [1, b.shape[1]] };
  };
  /**
   * Runs `kernel` on explicitly transposed operands (XNNPACK path): for Aᵀ always, for Bᵀ from
   * `minRowsB` output rows. Null when nothing is to be transposed or the shapes are not covered.
   */
  const withExplicitTransposes = (kernel: tf.KernelFunc, args: Parameters<tf.KernelFunc>[0], minRowsB: number): tf.TensorInfo | null => {
    const a = view2d(args.inputs.a);
    const b = view2d(args.inputs.b);
    const transposeA = args.attrs?.transposeA === true;
    const transposeB = args.attrs?.transposeB === true;
    if (!a || !b || args.inputs.a!.shape.length !== args.inputs.b!.shape.length) return null;
    const rows = transposeA ? a.shape[1] : a.shape[0];
    const explicitA = transposeA;
    const explicitB = transposeB && rows >= minRowsB;
    if (!explicitA && !explicitB) return null;
    const backend = args.backend as tf.KernelBackend;
    const flip = (x: tf.TensorInfo) => restoreRank(transpose({ inputs: { x }, attrs: { perm: [1, 0] }, backend }) as tf.TensorInfo, args.inputs.a!);
    const ta = explicitA ? flip(a) : args.inputs.a!;
    const tb = explicitB ? flip(b) : args.inputs.b!;
    const out = kernel({
      inputs: { ...args.inputs, a: ta, b: tb },
      attrs: { ...args.attrs, transposeA: false, transposeB: transposeB && !explicitB },
      backend,
    }) as tf.TensorInfo;
    if (explicitA) backend.disposeData(ta.dataId);
    if (explicitB) backend.disposeData(tb.dataId);
    return out;
  };
  const singleRow = (args: Parameters<tf.KernelFunc>[0]): [tf.TensorInfo, tf.TensorInfo] | null => {
    const a = view2d(args.inputs.a);
    const b = view2d(args.inputs.b);
    if (!a || !b || a.shape[0] !== 1 || args.attrs?.transposeA === true || args.attrs?.transposeB === true) return null;
    if (b.shape[0] * b.shape[1] < WASM_ROW_PATH_MIN_WEIGHTS) return null;
    if (args.inputs.a!.shape.length !== args.inputs.b!.shape.length) return null;
    return [a, b];
  };

  const matMulKernel: tf.KernelFunc = (args) => {
    const row = singleRow(args);
    if (row) return restoreRank(rowTimesMatrix(row[0], row[1], args.backend as tf.KernelBackend), args.inputs.a!);
    return withExplicitTransposes(matMul, args, WASM_EXPLICIT_TRANSPOSE_MIN_ROWS) ?? matMul(args);
  };
  // The original fused kernel is also WRONG with transposeB on its slow path (tfjs 4.22, probed:
  // bias/activation misapplied), so fused products are always transposed explicitly.
  const fusedKernel: tf.KernelFunc = (args) => {
    const { bias, preluActivationWeights } = args.inputs;
    const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
    const simple = preluActivationWeights === undefined && (activation === 'linear' || activation === 'relu') &&
      (bias === undefined || bias.shape.length === 1);
    const row = simple ? singleRow(args) : null;
    if (row) {
      const backend = args.backend as tf.KernelBackend;
      let out = rowTimesMatrix(row[0], row[1], backend);
      if (bias !== undefined) {
        const sum = add({ inputs: { a: out, b: bias }, backend }) as tf.TensorInfo;
        backend.disposeData(out.dataId);
        out = sum;
      }
      if (activation === 'relu') {
        const rectified = relu({ inputs: { x: out }, backend }) as tf.TensorInfo;
        backend.disposeData(out.dataId);
        out = rectified;
      }
      return restoreRank(out, args.inputs.a!);
    }
    return withExplicitTransposes(fused, args, 1) ?? fused(args);
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...matMulConfig, kernelFunc: matMulKernel });
  tf.unregisterKernel(tf._FusedMatMul, 'wasm');
  tf.registerKernel({ ...fusedConfig, kernelFunc: fusedKernel });
  wasmPatched = true;
}

interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let wasmSlicePatched = false;

/**
 * The wasm Slice kernel copies the WHOLE input out of the wasm heap (readSync) before taking its
 * slice, and SplitV slices once per part, so splitting an n-element vector into P parts copies
 * P·n values (probed: ~10-20 ms for a 270k-parameter vector split 6 ways). Contiguous slices are
 * taken here straight from a heap view; every other case goes to the original kernel.
 */
function patchWasmSlice(): void {
  if (wasmSlicePatched || process.env.PLASTICD_WASM_KERNEL_PATCHES === '0') return;
  const sliceConfig = tf.getKernel(tf.Slice, 'wasm');
  const splitConfig = tf.getKernel(tf.SplitV, 'wasm');
  if (!sliceConfig || !splitConfig) return;
  const original = sliceConfig.kernelFunc;
  const contiguousSlice = (x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackendLike): tf.TensorInfo | null => {
    if (x.dtype === 'string' || x.dtype === 'complex64') return null;
    if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return null;
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const out = backend.makeOutput(size, x.dtype);
    // Views only after makeOutput: allocating may grow (and detach) the heap.
    const source = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(source.subarray(offset, offset + tf.util.sizeFromShape(size)));
    return out;
  };
  const sliceKernel: tf.KernelFunc = (args) => {
    const x = args.inputs.x!;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs!.begin as number[], args.attrs!.size as number[]);
    return contiguousSlice(x, begin, size, args.backend as WasmBackendLike) ?? original(args);
  };
  const splitKernel: tf.KernelFunc = (args) => {
    const x = args.inputs.x!;
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs!.numOrSizeSplits as number[] | number, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const size = x.shape.slice();
      size[axis] = part;
      const out =
        contiguousSlice(x, begin.slice(), size, args.backend as WasmBackendLike) ??
        (original({ inputs: { x }, attrs: { begin: begin.slice(), size }, backend: args.backend }) as tf.TensorInfo);
      begin[axis] += part;
      return out;
    });
  };
  tf.unregisterKernel(tf.Slice, 'wasm');
  tf.registerKernel({ ...sliceConfig, kernelFunc: sliceKernel });
  tf.unregisterKernel(tf.SplitV, 'wasm');
  tf.registerKernel({ ...splitConfig, kernelFunc: splitKernel });
  wasmSlicePatched = true;
}

async function tryCpuBlas(): Promise<Attempt> {
  const blas = registerBlasKernels({ backendName: 'cpu-blas', sourceBackend: 'cpu', createBackend: () => new MathBackendCPU() });
  if (!blas.available) return { ok: false, reason: blas.reason, tfjsBackend: '' };
  const attempt = await activate('cpu-blas', `cpu backend with ${blas.reason}`);
  attempt.blas = blas;
  return attempt;
}

async function activate(tfjsBackend: string, description: string): Promise<Attempt> {
  const ok = await quietly(() => tf.setBackend(tfjsBackend));
  if (!ok) return { ok: false, reason: `tf.setBackend('${tfjsBackend}') failed to initialise ${description}`, tfjsBackend };
  await tf.ready();
  // The JS cpu backend prints a banner urging tfjs-node on first use; our candidates list says it.
  const instance = tf.backend() as unknown as { firstUse?: boolean };
  if (instance.firstUse === true) instance.firstUse = false;
  return { ok: true, reason: description, tfjsBackend };
}

/** tfjs reports init failures with console.warn; keep them out of our output (we report them). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
