/**
 * Where a training step's time goes: runs a few steps under tf.profile and sums kernel time by
 * kernel name (plus the share outside kernels: tape, tidy, JS glue). A development tool for the
 * speed levers in bench/nn.bench.ts. Run: `npx tsx bench/profile-step.ts [--backend=wasm]
 * [--shape=32x64-256-256-4] [--variant=manual|autodiff|network] [--steps=20]`.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../src/nn/backend.ts';
import { BENCH_SHAPES, createPrototypeStep, type PrototypeStep, type PrototypeVariant } from './mlp-prototype.ts';
import { createNetworkStep } from './network-step.ts';

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

async function main(): Promise<void> {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
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
