/**
 * Training-step benchmark: µs per step (forward + backward + optimizer + StepTrace) for the shapes
 * of BENCH_SHAPES on every network engine — the typed-array engine with the native addon (BLAS
 * products + C element-wise kernels), with BLAS products only (typed-js-kernels) and without the
 * addon (typed-noblas), and the tfjs engine on every tfjs backend present — side by side with PyTorch on one CPU
 * thread (bench/reference/torch_step.py, run before and after ours, best of both) when a python
 * that can import torch is found. Installs nothing.
 * Run alone: `npx tsx bench/nn.bench.ts [--seconds=1] [--engines=typed,typed-js-kernels,typed-noblas,tfjs]
 * [--backends=cpu,wasm] [--variants=network,manual] [--shapes=1x20-5-1]`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../src/nn/backend.ts';
import { BENCH_SHAPES, createPrototypeStep, type BenchShape, type PrototypeStep, type PrototypeVariant } from './mlp-prototype.ts';
import { createNetworkStep, type BenchEngine } from './network-step.ts';

export interface NnBenchOptions {
  /** Seconds of timing per (shape, backend, variant); default 1. */
  seconds?: number;
  backends?: BackendName[];
  /** Default all: typed, typed-js-kernels, typed-noblas, tfjs. */
  engines?: BenchEngine[];
  variants?: Variant[];
  shapes?: string[];
  log?: (line: string) => void;
}

export type Variant = 'network' | PrototypeVariant;

export interface NnBenchRow {
  shape: string;
  engine: BenchEngine;
  /** The tfjs backend ('-' for the typed engine, which uses none). */
  backend: BackendName | '-';
  variant: Variant;
  /** CPU µs per step (see StepTiming). */
  usPerStep: number;
  wallUsPerStep: number;
  torchUsPerStep: number | null;
  ratio: number | null;
}

const PAPER_TORCH_US: Record<string, number> = {
  '1x20-5-1': 100,
  '1x20-256-256-1': 170,
  '32x64-256-256-4': 390,
  '256x784-256-256-10': 2800,
};

export interface StepTiming {
  /** Process CPU time per step (user + system), µs: robust when other processes load the box. */
  cpuUs: number;
  wallUs: number;
}

/** Times `step` for about `seconds`: calibrate, then the best of three runs (the box is shared). */
export function timeStep(step: () => void, seconds: number): StepTiming {
  for (let i = 0; i < 5; i++) step();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < (seconds * 1000) / 4) {
    step();
    n++;
  }
  let cpuUs = Infinity;
  let wallUs = Infinity;
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < n; i++) step();
    const used = process.cpuUsage(c);
    wallUs = Math.min(wallUs, ((performance.now() - t) * 1000) / n);
    cpuUs = Math.min(cpuUs, (used.user + used.system) / n);
  }
  return { cpuUs, wallUs };
}

interface TorchResult {
  note: string;
  usPerStep: Map<string, number>;
}

/** Finds a python that imports torch (pyenv's python3 may shadow /usr/bin/python3) and runs the reference. */
export function runTorchReference(shapes: BenchShape[], seconds: number): TorchResult {
  const script = fileURLToPath(new URL('./reference/torch_step.py', import.meta.url));
  const pythons = [process.env.PLASTICD_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((p): p is string => !!p);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  for (const python of pythons) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', 'import torch'], { env, encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, [script, '--seconds', String(seconds), '--shapes', JSON.stringify(shapes)], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) return { note: `PyTorch reference failed (${python}): ${run.stderr.trim().split('\n').pop()}`, usPerStep: new Map() };
    const parsed = JSON.parse(run.stdout) as { torch: string; threads: number; results: { id: string; usPerStep: number }[] };
    return {
      note: `PyTorch ${parsed.torch} via ${python}, ${parsed.threads} thread, OPENBLAS_NUM_THREADS=1`,
      usPerStep: new Map(parsed.results.map((r) => [r.id, r.usPerStep])),
    };
  }
  return {
    note:
      `PyTorch not found (tried ${pythons.join(', ')}); the ratio column uses the paper's PyTorch 1.13 one-thread numbers. ` +
      `On Debian: apt-get install python3-torch (then /usr/bin/python3 is used).`,
    usPerStep: new Map(),
  };
}

function parseArgs(argv: string[]): NnBenchOptions {
  const options: NnBenchOptions = {};
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (value === undefined) continue;
    if (key === 'seconds') options.seconds = Number(value);
    if (key === 'backends') options.backends = value.split(',') as BackendName[];
    if (key === 'variants') options.variants = value.split(',') as Variant[];
    if (key === 'engines') options.engines = value.split(',') as BenchEngine[];
    if (key === 'shapes') options.shapes = value.split(',');
  }
  return options;
}

export default async function nnBench(options: NnBenchOptions = {}): Promise<NnBenchRow[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const seconds = options.seconds ?? 1;
  const shapes = BENCH_SHAPES.filter((s) => options.shapes === undefined || options.shapes.includes(s.id));
  const variants = options.variants ?? ['network', 'manual'];
  // Fastest first so partial output is useful; plain cpu (the slowest) last.
  const backends = options.backends ?? (['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu-blas', 'cpu'] satisfies BackendName[]);

  const engines = options.engines ?? (['typed', 'typed-js-kernels', 'typed-noblas', 'tfjs'] satisfies BenchEngine[]);

  const torch = runTorchReference(shapes, seconds);
  log(`nn.bench: ${torch.note}`);
  const measured: Omit<NnBenchRow, 'torchUsPerStep' | 'ratio'>[] = [];
  const record = (row: Omit<NnBenchRow, 'torchUsPerStep' | 'ratio'>) => {
    measured.push(row);
    log(`nn.bench: ${row.shape} ${row.engine} ${row.backend} ${row.variant}: ${row.usPerStep.toFixed(0)} µs/step (cpu)`);
  };
  for (const engine of engines.filter((e) => e !== 'tfjs')) {
    for (const shape of shapes) {
      const subject = createNetworkStep(shape, engine);
      const timing = timeStep(subject.step, seconds);
      subject.dispose();
      record({ shape: shape.id, engine, backend: '-', variant: 'network', usPerStep: timing.cpuUs, wallUsPerStep: timing.wallUs });
    }
  }
  for (const backend of engines.includes('tfjs') ? backends : []) {
    try {
      await initBackend({ backend });
    } catch (error) {
      log(`nn.bench: backend ${backend} skipped: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const shape of shapes) {
      for (const variant of variants) {
        let subject: PrototypeStep | null;
        try {
          subject = variant === 'network' ? createNetworkStep(shape, 'tfjs') : createPrototypeStep(shape, variant);
        } catch (error) {
          log(`nn.bench: ${variant} on ${backend} failed to build: ${error instanceof Error ? error.message : String(error)}`);
          subject = null;
        }
        if (subject === null) continue;
        const before = tf.memory().numTensors;
        const timing = timeStep(subject.step, seconds);
        const leaked = tf.memory().numTensors - before;
        subject.dispose();
        if (leaked > 0) log(`nn.bench: ${variant}/${shape.id}/${backend} leaked ${leaked} tensors over the run`);
        record({ shape: shape.id, engine: 'tfjs', backend, variant, usPerStep: timing.cpuUs, wallUsPerStep: timing.wallUs });
      }
    }
  }
  // PyTorch again after ours: the box is shared, so each side gets its best of two moments.
  const torchAfter = torch.usPerStep.size > 0 ? runTorchReference(shapes, seconds) : torch;
  const torchUs = (id: string): number | null => {
    const values = [torch.usPerStep.get(id), torchAfter.usPerStep.get(id)].filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.min(...values) : (PAPER_TORCH_US[id] ?? null);
  };
  const rows: NnBenchRow[] = measured.map((row) => {
    const ref = torchUs(row.shape);
    return { ...row, torchUsPerStep: ref, ratio: ref === null ? null : row.usPerStep / ref };
  });
  const refLabel = torch.usPerStep.size > 0 ? 'torch µs/step (cpu)' : 'paper torch µs/step';
  log(formatTable(rows, refLabel));
  return rows;
}

function formatTable(rows: NnBenchRow[], refLabel: string): string {
  const header = ['shape', 'engine', 'backend', 'variant', 'µs/step (cpu)', 'wall', refLabel, 'ratio'];
  const body = rows.map((r) => [
    r.shape,
    r.engine,
    r.backend,
    r.variant,
    r.usPerStep.toFixed(0),
    r.wallUsPerStep.toFixed(0),
    r.torchUsPerStep === null ? '-' : r.torchUsPerStep.toFixed(0),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await nnBench(parseArgs(process.argv.slice(2)));
}
