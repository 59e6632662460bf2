/**
 * Faster tfjs-backend-cpu 4.22 elementwise kernels, installed by backend.ts for 'cpu' (and so
 * copied into 'cpu-blas'). The stock binary kernels call the op through a shared, megamorphic
 * closure with two modulos per element, or an indexToLoc/locToIndex walk whenever an operand is
 * broadcast: ~40 ns per element, 10-15 ms for one op over a 270k-parameter vector (measured),
 * which made the optimizer most of a cpu training step. Here each op has its own plain loop for
 * the shapes a dense network uses (same shape, a scalar, a row repeated over leading axes), plus
 * Sqrt and Mean; the values are exactly the stock ones (each element is `a op b` in double, stored
 * as float32; Mean is the same Sum(x / n)).
 * Everything else goes to the original kernel. PLASTICD_CPU_KERNEL_PATCHES=0 keeps the stock kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

type Values = Float32Array;
/** out[i] = a[i] op b[i] (same shape); a[i] op s (scalar right); s op b[i] (scalar left). */
interface BinaryLoops {
  same(a: Values, b: Values, out: Values): void;
  scalarRight(a: Values, s: number, out: Values): void;
  scalarLeft(s: number, b: Values, out: Values): void;
  /** b (length p) repeated along a: out[i] = a[i] op b[i mod p]. */
  rowRight(a: Values, b: Values, out: Values): void;
  /** a (length p) repeated along b: out[i] = a[i mod p] op b[i]. */
  rowLeft(a: Values, b: Values, out: Values): void;
}

// One explicit loop per op and case: a shared loop calling the op would be megamorphic again.
const ADD: BinaryLoops = {
  same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; },
  scalarRight: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + s; },
  scalarLeft: (s, b, o) => { for (let i = 0; i < o.length; i++) o[i] = s + b[i]; },
  rowRight: (a, b, o) => { const p = b.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[r + j] + b[j]; },
  rowLeft: (a, b, o) => { const p = a.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[j] + b[r + j]; },
};
const SUB: BinaryLoops = {
  same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i]; },
  scalarRight: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] - s; },
  scalarLeft: (s, b, o) => { for (let i = 0; i < o.length; i++) o[i] = s - b[i]; },
  rowRight: (a, b, o) => { const p = b.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[r + j] - b[j]; },
  rowLeft: (a, b, o) => { const p = a.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[j] - b[r + j]; },
};
const MUL: BinaryLoops = {
  same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i]; },
  scalarRight: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * s; },
  scalarLeft: (s, b, o) => { for (let i = 0; i < o.length; i++) o[i] = s * b[i]; },
  rowRight: (a, b, o) => { const p = b.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[r + j] * b[j]; },
  rowLeft: (a, b, o) => { const p = a.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[j] * b[r + j]; },
};
const DIV: BinaryLoops = {
  same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] / b[i]; },
  scalarRight: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] / s; },
  scalarLeft: (s, b, o) => { for (let i = 0; i < o.length; i++) o[i] = s / b[i]; },
  rowRight: (a, b, o) => { const p = b.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[r + j] / b[j]; },
  rowLeft: (a, b, o) => { const p = a.length; for (let r = 0; r < o.length; r += p) for (let j = 0; j < p; j++) o[r + j] = a[j] / b[r + j]; },
};

export const CPU_BINARY_KERNELS: ReadonlyArray<[string, BinaryLoops]> = [
  [tf.Add, ADD],
  [tf.Sub, SUB],
  [tf.Multiply, MUL],
  [tf.RealDiv, DIV],
];

interface CpuBackendLike extends tf.KernelBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** `small` is `big`'s trailing dims (or fewer dims of size 1 only): the result has big's shape. */
function repeatsAlong(small: readonly number[], big: readonly number[]): boolean {
  if (small.length > big.length) return false;
  const offset = big.length - small.length;
  return small.every((d, k) => d === big[offset + k]);
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, k) => d === b[k]);

/** The fast result, or null when the case is not covered (dtype, shapes) and the stock kernel must run. */
function binary(loops: BinaryLoops, a: tf.TensorInfo, b: tf.TensorInfo, backend: CpuBackendLike): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const av = backend.data.get(a.dataId)?.values;
  const bv = backend.data.get(b.dataId)?.values;
  if (!(av instanceof Float32Array) || !(bv instanceof Float32Array)) return null;
  let shape: number[];
  let fill: (out: Float32Array) => void;
  if (sameShape(a.shape, b.shape)) {
    shape = a.shape;
    fill = (o) => loops.same(av, bv, o);
  } else if (bv.length === 1 && b.shape.length <= a.shape.length) {
    shape = a.shape;
    fill = (o) => loops.scalarRight(av, bv[0], o);
  } else if (av.length === 1 && a.shape.length <= b.shape.length) {
    shape = b.shape;
    fill = (o) => loops.scalarLeft(av[0], bv, o);
  } else if (bv.length > 0 && repeatsAlong(b.shape, a.shape)) {
    shape = a.shape;
    fill = (o) => loops.rowRight(av, bv, o);
  } else if (av.length > 0 && repeatsAlong(a.shape, b.shape)) {
    shape = b.shape;
    fill = (o) => loops.rowLeft(av, bv, o);
  } else {
    return null;
  }
  const out = new Float32Array(tf.util.sizeFromShape(shape));
  fill(out);
  return backend.makeTensorInfo(shape.slice(), 'float32', out);
}

let cpuPatched = false;

/** Installs the cpu elementwise kernels (idempotent). Call before 'cpu-blas' copies the cpu kernels. */
export function patchCpuKernels(): void {
  if (cpuPatched || process.env.PLASTICD_CPU_KERNEL_PATCHES === '0') return;
  for (const [name, loops] of CPU_BINARY_KERNELS) {
    const config = tf.getKernel(name, 'cpu');
    if (!config) continue;
    const original = config.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) =>
      binary(loops, args.inputs.a!, args.inputs.b!, args.backend as CpuBackendLike) ?? original(args);
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ ...config, kernelFunc });
  }
  const sqrt = tf.getKernel(tf.Sqrt, 'cpu');
  if (sqrt) {
    const original = sqrt.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) => {
      const x = args.inputs.x!;
      const backend = args.backend as CpuBackendLike;
      const values = x.dtype === 'float32' ? backend.data.get(x.dataId)?.values : null;
      if (!(values instanceof Float32Array)) return original(args);
      const out = new Float32Array(values.length);
      for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(values[i]);
      return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
    };
    tf.unregisterKernel(tf.Sqrt, 'cpu');
    tf.registerKernel({ ...sqrt, kernelFunc });
  }
  patchCpuMean();
  cpuPatched = true;
}

/**
 * The stock Mean is Sum(x / n) with the slow division above and a cast (a copy) first: 1.4 ms for
 * 256×256 against 0.25 ms for the Sum. Same sequence here (bit-identical), with the fast division.
 */
function patchCpuMean(): void {
  const mean = tf.getKernel(tf.Mean, 'cpu');
  const sum = tf.getKernel(tf.Sum, 'cpu')?.kernelFunc;
  if (!mean || !sum) return;
  const original = mean.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x!;
    const backend = args.backend as CpuBackendLike;
    const values = x.dtype === 'float32' ? backend.data.get(x.dataId)?.values : null;
    if (!(values instanceof Float32Array)) return original(args);
    const axes = tf.util.parseAxisParam(args.attrs!.axis as number | number[], x.shape);
    const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
    const divided = new Float32Array(values.length);
    DIV.scalarRight(values, Math.fround(reduceSize), divided);
    const scaled = backend.makeTensorInfo(x.shape.slice(), 'float32', divided);
    const result = sum({ inputs: { x: scaled }, backend, attrs: args.attrs }) as tf.TensorInfo;
    backend.disposeData(scaled.dataId);
    return result;
  };
  tf.unregisterKernel(tf.Mean, 'cpu');
  tf.registerKernel({ ...mean, kernelFunc });
}
