/**
 * Monitor overhead: CPU time of training WITH the monitor (GXD-L and the tracked utilities every
 * step, inputs recorded, a full window report every 1,000 steps with GXD-F, curvature each window
 * and the audit every 10th) over training alone, typed engine, default MonitorConfig. Target ≤ 1.05×.
 * Two rows per network: the monitor alone (reset policy 'none': what watching costs), and the
 * default config with GXD resets, which also pays for the intervention (unit surgery, and Adam's
 * per-element bias correction once any entry was reset). Also splits the monitored time into
 * per-step and per-window parts. The plain and the monitored network train in alternating windows
 * of the same process (see `run`). Besides the ratio of the sums, the median ratio over blocks of
 * consecutive windows (one audit each): on a shared box a load spike can hit one half of one block.
 * Run alone: `npx tsx bench/index.ts monitor [--windows=N] [--repeats=N] [--config=JSON]`; `--config`
 * measures one MonitorConfig of your own (validated like an agent spec's `monitor` block), e.g.
 * `--config='{"windowLength":5000}'`.
 */
import { Monitor } from '../monitoring/monitor.ts';
import { createNetwork } from '../src/nn/index.ts';
import { meanSquaredError } from '../src/nn/losses.ts';
import type { Network, NetworkSpec, OutputLoss } from '../src/nn/types.ts';
import type { OptimizerConfig } from '../src/nn/optimizers/optimizer.ts';
import { parseMonitorConfig, type MonitorConfigInput } from '../src/config/monitor-config.ts';
import { Rng } from '../src/util/rng.ts';

interface Scenario {
  id: string;
  spec: NetworkSpec;
  optimizer: OptimizerConfig;
  batchSize: number;
  /** Counted windows of 1,000 steps per timed run (≥ 10 so an audit is included). */
  windows: number;
  /**
   * Windows first run and not counted: the daemon runs for days, so the figure to report is the
   * steady state. A 7 µs step leaves the JIT little work to hide behind: 20 windows of 20-5-1
   * counted from the second one measured mostly the first compilation of the window code.
   */
  warmup: number;
}

const SCENARIOS: Scenario[] = [
  {
    id: 'bit-flipping 20-5-1, batch 1, SGD',
    spec: { name: 'model', inputSize: 20, hidden: [{ units: 5, activation: 'relu' }], outputSize: 1, seed: 1 },
    optimizer: { kind: 'sgd', learningRate: 0.01 },
    batchSize: 1,
    windows: 200,
    warmup: 10,
  },
  {
    id: '64-256-256-4, batch 32, Adam',
    spec: { name: 'model', inputSize: 64, hidden: [{ units: 256, activation: 'relu' }, { units: 256, activation: 'relu' }], outputSize: 4, seed: 1 },
    optimizer: { kind: 'adam', learningRate: 1e-3 },
    batchSize: 32,
    windows: 20,
    warmup: 2,
  },
];

interface Batch {
  input: Float32Array;
  loss: OutputLoss;
}

/** A pool of pre-drawn batches (bits for the 20-input net, normals otherwise), cycled through. */
function batches(scenario: Scenario, count: number): Batch[] {
  const rng = new Rng(7);
  const { inputSize, outputSize } = scenario.spec;
  return Array.from({ length: count }, () => {
    const input = new Float32Array(scenario.batchSize * inputSize);
    for (let k = 0; k < input.length; k++) input[k] = inputSize === 20 ? rng.int(2) : rng.normal();
    const target = new Float32Array(scenario.batchSize * outputSize);
    for (let k = 0; k < target.length; k++) target[k] = rng.normal();
    return { input, loss: meanSquaredError(target) };
  });
}

interface Timing {
  plainMs: number;
  monitoredMs: number;
  windowMs: number;
  /** Per counted window, the plain and the monitored CPU time. */
  plainWindows: number[];
  monitoredWindows: number[];
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * Trains two identical networks side by side, one plain and one watched, alternating window by
 * window so that both halves see the same machine load (the box is shared; a whole plain run and
 * then a whole monitored run measured load drift as much as monitor cost). The first
 * `scenario.warmup` windows of each are not counted.
 */
function run(scenario: Scenario, pool: Batch[], config: MonitorConfigInput): Timing {
  const plain: Network = createNetwork(scenario.spec, { engine: 'typed', optimizer: scenario.optimizer });
  const network: Network = createNetwork(scenario.spec, { engine: 'typed', optimizer: scenario.optimizer });
  const monitor = new Monitor({ networks: { model: network }, config, rng: new Rng(3) });
  const windowLength = monitor.config.windowLength;
  const timing: Timing = { plainMs: 0, monitoredMs: 0, windowMs: 0, plainWindows: [], monitoredWindows: [] };
  for (let window = 0; window < scenario.warmup + scenario.windows; window++) {
    const counted = window >= scenario.warmup;
    const first = window * windowLength + 1;
    let start = process.cpuUsage();
    for (let step = first; step < first + windowLength; step++) {
      const batch = pool[step % pool.length];
      plain.trainStep({ input: batch.input, batchSize: scenario.batchSize, loss: batch.loss });
    }
    const plainMs = cpuMs(start);
    if (counted) {
      timing.plainMs += plainMs;
      timing.plainWindows.push(plainMs);
    }
    start = process.cpuUsage();
    let windowMs = 0;
    for (let step = first; step < first + windowLength; step++) {
      const batch = pool[step % pool.length];
      monitor.recordInputs('model', batch.input, scenario.batchSize);
      const trace = network.trainStep({ input: batch.input, batchSize: scenario.batchSize, loss: batch.loss, references: monitor.references('model') });
      monitor.onStep(trace);
      if (monitor.windowDue(step)) {
        const before = process.cpuUsage();
        monitor.onWindow({ step });
        windowMs += cpuMs(before);
      }
    }
    if (counted) {
      const monitoredMs = cpuMs(start);
      timing.monitoredMs += monitoredMs;
      timing.monitoredWindows.push(monitoredMs);
      timing.windowMs += windowMs;
    }
  }
  monitor.dispose();
  network.dispose();
  plain.dispose();
  return timing;
}

export interface MonitorBenchRow {
  scenario: string;
  monitor: string;
  trainingMs: number;
  monitoredMs: number;
  ratio: number;
  /** Median, min and max of the ratio over blocks of consecutive windows, one audit each. */
  blockRatios: { median: number; min: number; max: number; blocks: number };
  windowMs: number;
}

/**
 * The ratio per block of `size` consecutive counted windows (each block holds one audit window),
 * summarised: the median is robust to a load spike that hits one half of one block.
 */
function blockRatios(timings: Timing[], size: number): MonitorBenchRow['blockRatios'] {
  const ratios: number[] = [];
  for (const timing of timings) {
    for (let start = 0; start + size <= timing.plainWindows.length; start += size) {
      let plain = 0;
      let monitored = 0;
      for (let w = start; w < start + size; w++) {
        plain += timing.plainWindows[w];
        monitored += timing.monitoredWindows[w];
      }
      ratios.push(monitored / plain);
    }
  }
  ratios.sort((a, b) => a - b);
  const middle = ratios.length >> 1;
  const median = ratios.length === 0 ? NaN : ratios.length % 2 === 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
  return { median, min: ratios[0] ?? NaN, max: ratios[ratios.length - 1] ?? NaN, blocks: ratios.length };
}

/** The monitor configurations compared (`options.config` replaces them with one). */
const CONFIGS: Array<{ label: string; config: MonitorConfigInput }> = [
  { label: 'monitor only (no resets)', config: { resetPolicy: { kind: 'none' } } },
  { label: 'default: monitor + GXD resets', config: {} },
];

export default async function monitorBench(options: { windows?: number; repeats?: number; config?: MonitorConfigInput } = {}): Promise<MonitorBenchRow[]> {
  const argWindows = process.argv.find((a) => a.startsWith('--windows='));
  const argRepeats = process.argv.find((a) => a.startsWith('--repeats='));
  const repeats = options.repeats ?? (argRepeats ? Number(argRepeats.split('=')[1]) : 3);
  const argConfig = process.argv.find((a) => a.startsWith('--config='));
  const given = options.config ?? (argConfig ? parseMonitorConfig(JSON.parse(argConfig.slice('--config='.length))) : undefined);
  const configs = given ? [{ label: argConfig ? argConfig.slice('--config='.length) : 'given config', config: given }] : CONFIGS;
  const rows: MonitorBenchRow[] = [];
  for (const base of SCENARIOS) {
    const scenario = { ...base, windows: options.windows ?? (argWindows ? Number(argWindows.split('=')[1]) : base.windows) };
    const pool = batches(scenario, 256);
    for (const { label, config } of configs) {
      const timings = Array.from({ length: repeats }, () => run(scenario, pool, config));
      const sum = (pick: (t: Timing) => number) => timings.reduce((total, t) => total + pick(t), 0);
      const [trainingMs, monitoredMs] = [sum((t) => t.plainMs), sum((t) => t.monitoredMs)];
      const auditEvery = parseMonitorConfig(config).audit?.everyWindows ?? 10;
      rows.push({
        scenario: scenario.id,
        monitor: label,
        trainingMs,
        monitoredMs,
        ratio: monitoredMs / trainingMs,
        blockRatios: blockRatios(timings, Math.min(auditEvery, scenario.windows)),
        windowMs: sum((t) => t.windowMs),
      });
    }
  }
  console.log(`Monitor overhead (typed engine, default MonitorConfig, CPU time summed over ${repeats} runs, plain and monitored windows interleaved; target ≤ 1.05×)`);
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      monitor: r.monitor,
      'training ms': r.trainingMs.toFixed(0),
      'with monitor ms': r.monitoredMs.toFixed(0),
      ratio: `${r.ratio.toFixed(3)}×`,
      'median of blocks (min–max)': `${r.blockRatios.median.toFixed(3)}× (${r.blockRatios.min.toFixed(2)}–${r.blockRatios.max.toFixed(2)}, ${r.blockRatios.blocks} blocks)`,
      'of which window reports ms': r.windowMs.toFixed(0),
      'per-step overhead ms': (r.monitoredMs - r.windowMs - r.trainingMs).toFixed(0),
    })),
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await monitorBench();
