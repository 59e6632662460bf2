/**
 * Measured fixes to tfjs-backend-wasm 4.22 kernels, installed by backend.ts when the wasm backend
 * is selected (bench/profile-step.ts; numbers in the reports): matmuls with transposes and
 * single-row products (patchWasmMatMul), and contiguous Slice/SplitV without copying the whole
 * input out of the heap (patchWasmSlice). Each patch keeps the kernel's results; every case it
 * does not cover goes to the original kernel. PLASTICD_WASM_KERNEL_PATCHES=0 keeps the stock kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Installs every wasm kernel patch (idempotent). Call before the first wasm kernel runs. */
export function patchWasmKernels(): void {
  patchWasmMatMul();
  patchWasmSlice();
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
