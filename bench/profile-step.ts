/**
 * Where a training step's time goes: runs a few steps under tf.profile and sums kernel time by
 * kernel name (plus the share outside kernels: tape, tidy, JS glue). A development tool for the
 * speed levers in bench/nn.bench.ts. Run: `npx tsx bench/profile-step.ts [--backend=wasm]
 * [--shape=32x64-256-256-4] [--variant=manual|autodiff|network] [--steps=20]`.
 * For the typed-array engine, `--engine=typed|typed-noblas|typed-js-kernels [--shape=all]` times each
 * phase of trainStep instead: the engine's internal calls (matrix products, native kernels,
 * forward/backward/optimizer methods) are wrapped with timers; wall times (compare on a quiet box);
 * a phase's "JS" line is what remains after its timed sub-calls.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../src/nn/backend.ts';
import { BENCH_SHAPES, createPrototypeStep, type BenchShape, type PrototypeStep, type PrototypeVariant } from './mlp-prototype.ts';
import { createNetworkStep } from './network-step.ts';
import { MatMul } from '../src/nn/typed/matmul.ts';
import { loadNativeStepKernels } from '../src/nn/typed/native-kernels.ts';
import { TypedNetwork } from '../src/nn/typed/network.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../src/nn/losses.ts';
import { benchSpec } from './network-step.ts';

export interface KernelShare {
  kernel: string;
  calls: number;
  msPerStep: number;
}

export async function profileStep(subject: PrototypeStep, steps: number): Promise<{ msPerStep: number; kernels: KernelShare[] }> {
  for (let i = 0; i < 3; i++) subject.step();
  const byKernel = new Map<string, { calls: number; ms: number }>();
  const t0 = performance.now();
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) subject.step();
  });
  const total = performance.now() - t0;
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, entry);
  }
  const kernels = [...byKernel.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls / steps, msPerStep: e.ms / steps }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
  return { msPerStep: total / steps, kernels };
}

type TypedProfileEngine = 'typed' | 'typed-noblas' | 'typed-js-kernels';

type Timers = Map<string, number>;
type AnyFn = (...args: unknown[]) => unknown;

/** Replaces obj[name] with a timed wrapper adding to timers[label]; returns the undo. */
function wrap(obj: Record<string, unknown>, name: string, label: string, timers: Timers): () => void {
  const original = obj[name] as AnyFn;
  const had = Object.prototype.hasOwnProperty.call(obj, name);
  obj[name] = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      timers.set(label, (timers.get(label) ?? 0) + performance.now() - t);
    }
  };
  return () => {
    if (had) obj[name] = original;
    else delete obj[name];
  };
}

function profileShape(shape: BenchShape, engine: TypedProfileEngine, steps: number): Map<string, number> {
  const spec = benchSpec(shape);
  const net = new TypedNetwork(spec, {
    optimizer: shape.optimizer === 'sgd' ? { kind: 'sgd', learningRate: 0.01 } : { kind: 'adam', learningRate: 1e-4 },
    blas: engine !== 'typed-noblas',
    nativeKernels: engine === 'typed',
  });
  const batch = shape.batch;
  const input = Float32Array.from({ length: batch * spec.inputSize }, (_, i) => Math.sin(i * 78.233));
  const loss =
    shape.loss === 'xent'
      ? softmaxCrossEntropy(Int32Array.from({ length: batch }, (_, b) => b % spec.outputSize))
      : meanSquaredError(Float32Array.from({ length: batch * spec.outputSize }, (_, i) => Math.cos(i)));
  const step = () => net.trainStep({ input, batchSize: batch, loss });
  for (let i = 0; i < 20; i++) step();
  const timers: Timers = new Map();
  const proto = TypedNetwork.prototype as unknown as Record<string, unknown>;
  const internals = net as unknown as { optimizer: Record<string, unknown> };
  const undo = [
    wrap(proto, 'trainStep', 'total', timers),
    wrap(proto, 'forward', 'forward', timers),
    wrap(proto, 'backward', 'backward', timers),
    wrap(proto, 'callOutputLoss', 'loss', timers),
    wrap(proto, 'writeWeightRows', 'weight rows', timers),
    wrap(MatMul.prototype as unknown as Record<string, unknown>, 'nn', 'forward matmul', timers),
    wrap(MatMul.prototype as unknown as Record<string, unknown>, 'tn', 'backward matmul (dW)', timers),
    wrap(MatMul.prototype as unknown as Record<string, unknown>, 'nt', 'backward matmul (dX)', timers),
  ];
  // Without the native kernels the optimizer runs row by row with the weight rows fused in (updateLayer).
  if (engine === 'typed') undo.push(wrap(internals.optimizer, 'applyRange', 'optimizer', timers));
  else undo.push(wrap(proto, 'updateLayer', 'optimizer + weight rows (fused JS)', timers));
  const native = engine === 'typed' ? (loadNativeStepKernels() as unknown as Record<string, unknown> | null) : null;
  if (native) {
    undo.push(wrap(native, 'biasActivate', 'forward bias+activation', timers));
    undo.push(wrap(native, 'backwardHidden', 'backward activation grads+trace', timers));
  }
  for (let i = 0; i < steps; i++) step();
  for (const u of undo) u();
  const perStep = new Map<string, number>();
  for (const [k, v] of timers) perStep.set(k, (v * 1000) / steps);
  const get = (k: string) => perStep.get(k) ?? 0;
  // Own JS time of the wrapping phases (what their timed sub-calls do not cover).
  perStep.set('forward (JS: bias, activation, dropout)', get('forward') - get('forward matmul') - get('forward bias+activation'));
  perStep.set('backward (JS: activation grads, trace, bias grads)', get('backward') - get('backward matmul (dW)') - get('backward matmul (dX)') - get('backward activation grads+trace'));
  perStep.set('other (regularizers, StepTrace, glue)', get('total') - get('forward') - get('backward') - get('loss') - get('optimizer') - get('weight rows') - get('optimizer + weight rows (fused JS)'));
  perStep.delete('forward');
  perStep.delete('backward');
  net.dispose();
  return perStep;
}

function profileTypedShapes(engine: TypedProfileEngine, shapeId: string, steps: number): void {
  const shapes = BENCH_SHAPES.filter((s) => shapeId === 'all' || s.id === shapeId);
  if (shapes.length === 0) throw new Error(`unknown shape ${shapeId}; expected all or one of ${BENCH_SHAPES.map((s) => s.id).join(', ')}`);
  for (const shape of shapes) {
    const phases = profileShape(shape, engine, shape.batch >= 256 && engine === 'typed-noblas' ? Math.min(steps, 5) : steps);
    const total = phases.get('total') ?? 0;
    console.log(`${shape.id} ${engine}: ${total.toFixed(0)} µs/step wall (timers on)`);
    for (const [phase, us] of [...phases].filter(([k]) => k !== 'total').sort((a, b) => b[1] - a[1])) {
      if (Math.abs(us) < 0.5) continue;
      console.log(`  ${phase.padEnd(50)} ${us.toFixed(0).padStart(7)} µs  ${((100 * us) / total).toFixed(1).padStart(5)}%`);
    }
  }
}

async function main(): Promise<void> {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
  const engine = args.get('engine');
  if (engine !== undefined && engine !== 'tfjs') {
    profileTypedShapes(engine as TypedProfileEngine, args.get('shape') ?? 'all', Number(args.get('steps') ?? 200));
    return;
  }
  const backend = (args.get('backend') ?? 'wasm') as BackendName;
  const shape = BENCH_SHAPES.find((s) => s.id === (args.get('shape') ?? '32x64-256-256-4'));
  if (shape === undefined) throw new Error(`unknown shape; expected one of ${BENCH_SHAPES.map((s) => s.id).join(', ')}`);
  const variant = args.get('variant') ?? 'manual';
  const steps = Number(args.get('steps') ?? 20);
  await initBackend({ backend });
  const subject = variant === 'network' ? await createNetworkStep(shape) : createPrototypeStep(shape, variant as PrototypeVariant);
  if (subject === null) throw new Error('src/nn/network.ts is not available yet');
  const { msPerStep, kernels } = await profileStep(subject, steps);
  subject.dispose();
  const inKernels = kernels.reduce((s, k) => s + k.msPerStep, 0);
  console.log(`${variant} ${shape.id} on ${backend}: ${(msPerStep * 1000).toFixed(0)} µs/step wall under the profiler, ` +
    `${(inKernels * 1000).toFixed(0)} µs in ${kernels.reduce((s, k) => s + k.calls, 0).toFixed(0)} kernel calls`);
  for (const k of kernels) {
    console.log(`  ${k.kernel.padEnd(22)} ${k.calls.toFixed(1).padStart(6)} calls ${(k.msPerStep * 1000).toFixed(0).padStart(8)} µs  ${((100 * k.msPerStep) / msPerStep).toFixed(1).padStart(5)}%`);
  }
}

await main();
