/**
 * Reproduces slowly-changing regression ("bit-flipping", algorithms.md §4.1; Dohare et al., Nature
 * 2024, arXiv 2306.13812) for backprop, L2, Shrink & Perturb, continual backprop, GXD resets and
 * ReDo, several seeds each, in worker threads. Writes per-run JSON, summary.json, SVG plots and a
 * markdown report next to the output folder (`<out>.md`).
 *
 *   npx tsx scripts/reproduce/bit-flipping.ts [--examples 1000000] [--seeds 5]
 *     [--methods bp,l2,snp,cbp,gxd,redo] [--variant resample|flip-one] [--threads N] [--first-seed 0] [--report-only]
 *     [--out docs/results/bit-flipping]
 *
 * The default variant is `resample`, the reference repo's default cfg (prob.json), which the
 * reference numbers below were produced with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { runJobs } from './pool.ts';
import { readPreviousSummary, readRuns } from './report.ts';
import type { BitFlippingJob, BitFlippingRunResult } from './bit-flipping-run.ts';
import { methodSetup, parseMethods } from './methods.ts';
import type { MethodName } from './methods.ts';
import { curveStats, defaultThreads, formatMeanStderr, intFlag, meanStderr, parseFlags, rangeMean } from './stats.ts';
import type { MeanStderr } from './stats.ts';
import { lineChart } from './svg-plot.ts';
import { commandLine, formatDuration, machineDescription, markdownTable, writeFile, writeRun } from './report.ts';

/** Official PyTorch code, 5 seeds, on our machines: MSE over the first / middle / last 100k examples. */
const REFERENCE: Partial<Record<MethodName, [number, number, number]>> = {
  bp: [0.695, 0.972, 1.651],
  cbp: [0.576, 0.57, 0.716],
};

const SCRIPT = 'scripts/reproduce/bit-flipping.ts';
const USAGE = `usage:
  npx tsx scripts/reproduce/bit-flipping.ts [--examples 1000000] [--seeds 5]
    [--methods bp,l2,snp,cbp,gxd,redo] [--variant resample|flip-one] [--threads N] [--first-seed 0] [--report-only]
    [--out docs/results/bit-flipping]
(--out defaults to the committed results folder shown, which a run rewrites.)`;
const flags = parseFlags(process.argv.slice(2), USAGE);
const examples = intFlag(flags, 'examples', 1_000_000);
const seeds = intFlag(flags, 'seeds', 5);
const threads = intFlag(flags, 'threads', defaultThreads());
/** Seeds run are first-seed … first-seed + seeds − 1 (to add seeds to an earlier run's folder, then --report-only). */
const firstSeed = intFlag(flags, 'first-seed', 0, 0);
const methods = parseMethods(flags.methods ?? 'bp,l2,snp,cbp,gxd,redo');
const variant = (flags.variant ?? 'resample') as BitFlippingJob['variant'];
if (variant !== 'resample' && variant !== 'flip-one') throw new Error(`--variant must be resample or flip-one, got '${variant}'`);
const outDir = flags.out ?? 'docs/results/bit-flipping';
const binSize = 20_000;
if (examples % binSize !== 0) throw new Error(`--examples must be a multiple of ${binSize}`);

const jobs: BitFlippingJob[] = [];
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  for (const method of methods) jobs.push({ method, seed, examples, variant, binSize, probeEvery: 10_000, probeSize: 2000 });
}

const started = performance.now();
console.log(`bit-flipping (${variant}): ${methods.join(', ')} × ${seeds} seeds × ${examples} examples on ${threads} threads`);
// --report-only rebuilds the summary, plots and report from the run files already in <out>/runs.
const reportOnly = flags['report-only'] === 'true';
const runs: BitFlippingRunResult[] = reportOnly
  ? readRuns<BitFlippingRunResult>(outDir).filter((run) => methods.includes(run.method))
  : await runJobs<BitFlippingJob, BitFlippingRunResult>('bit-flipping', jobs, threads, (run) => {
      writeRun(outDir, `${run.method}-seed${run.seed}`, run);
      const bins = run.binnedError;
      console.log(
        `  ${run.method.padEnd(5)} seed ${run.seed}: first bin ${bins[0].toFixed(3)}, last bin ${bins[bins.length - 1].toFixed(3)}, ` +
          `${run.resets} resets, ${run.microsecondsPerExample.toFixed(2)} µs/example, ${run.wallSeconds.toFixed(1)} s`,
      );
    });
const examplesRun = runs[0].examples;
const variantRun = runs[0].variant;
const seedsRun = new Set(runs.map((run) => run.seed)).size;
// In --report-only mode the wall time, command and machine are those of the run that produced the files.
const previous = reportOnly ? readPreviousSummary(outDir) : null;
const wallSeconds = previous?.wallSeconds ?? (performance.now() - started) / 1000;
const command = previous?.command ?? commandLine(SCRIPT);
const machine = previous?.machine ?? machineDescription(threads);

// ── Summary: MSE over the first / middle / last window (100k examples at full scale) ──────────
const binsTotal = examplesRun / binSize;
const windowBins = Math.max(1, Math.min(100_000 / binSize, Math.floor(binsTotal / 10)));
const middleStart = Math.floor(binsTotal / 2 - windowBins / 2);
const windows = { first: [0, windowBins], middle: [middleStart, middleStart + windowBins], last: [binsTotal - windowBins, binsTotal] } as const;
type WindowName = keyof typeof windows;

interface MethodSummary {
  method: MethodName;
  summary: string;
  seeds: number;
  error: Record<WindowName, MeanStderr>;
  lastOverFirst: MeanStderr;
  finalEffectiveRank: MeanStderr;
  finalDeadFraction: MeanStderr;
  resets: MeanStderr;
  microsecondsPerExample: MeanStderr;
}

const summaries: MethodSummary[] = methods.map((method) => {
  const own = runs.filter((run) => run.method === method);
  const windowMean = (run: BitFlippingRunResult, name: WindowName) => rangeMean(run.binnedError, windows[name][0], windows[name][1]);
  const lastProbe = (run: BitFlippingRunResult) => run.probes[run.probes.length - 1];
  return {
    method,
    summary: methodSetup(method, 'bit-flipping').summary,
    seeds: own.length,
    error: {
      first: meanStderr(own.map((run) => windowMean(run, 'first'))),
      middle: meanStderr(own.map((run) => windowMean(run, 'middle'))),
      last: meanStderr(own.map((run) => windowMean(run, 'last'))),
    },
    lastOverFirst: meanStderr(own.map((run) => windowMean(run, 'last') / windowMean(run, 'first'))),
    finalEffectiveRank: meanStderr(own.map((run) => lastProbe(run)?.effectiveRank ?? NaN)),
    finalDeadFraction: meanStderr(own.map((run) => lastProbe(run)?.deadFraction ?? NaN)),
    resets: meanStderr(own.map((run) => run.resets)),
    microsecondsPerExample: meanStderr(own.map((run) => run.microsecondsPerExample)),
  };
});

// ── The expected picture: backprop degrades, CBP and GXD hold ────────────────────────────────
const ratioOf = (method: MethodName) => summaries.find((s) => s.method === method)?.error;
const checks: Array<{ claim: string; value: string; pass: boolean }> = [];
const bp = ratioOf('bp');
if (bp) {
  const ratio = bp.last.mean / bp.first.mean;
  checks.push({ claim: 'backprop: last-window error ≥ 2 × first-window error', value: `${ratio.toFixed(2)}×`, pass: ratio >= 2 });
}
for (const method of ['cbp', 'gxd'] as const) {
  const error = ratioOf(method);
  if (!error) continue;
  const ratio = error.last.mean / error.first.mean;
  checks.push({ claim: `${method}: last-window error ≤ 1.3 × first-window error`, value: `${ratio.toFixed(2)}×`, pass: ratio <= 1.3 });
}

// ── Plots ─────────────────────────────────────────────────────────────────────────────────────
const byMethod = (method: MethodName) => runs.filter((run) => run.method === method);
const errorSeries = methods.map((method) => {
  const stats = curveStats(byMethod(method).map((run) => run.binnedError));
  return { label: method, x: stats.mean.map((_, k) => (k + 1) * binSize), y: stats.mean, lower: stats.lower, upper: stats.upper };
});
writeFile(
  join(outDir, 'error.svg'),
  lineChart({
    title: `Slowly-changing regression (${variantRun}): online squared error, mean ± s.e. over ${seedsRun} seeds`,
    xLabel: 'examples',
    yLabel: `squared error (bins of ${binSize / 1000}k)`,
    series: errorSeries,
  }),
);
const probeSeries = (field: 'effectiveRank' | 'deadFraction') =>
  methods.map((method) => {
    const own = byMethod(method);
    const stats = curveStats(own.map((run) => run.probes.map((probe) => probe[field])));
    return { label: method, x: own[0].probes.map((probe) => probe.examples), y: stats.mean, lower: stats.lower, upper: stats.upper };
  });
writeFile(
  join(outDir, 'effective-rank.svg'),
  lineChart({ title: 'Effective rank of the 5-unit hidden layer (last 2000 inputs)', xLabel: 'examples', yLabel: 'effective rank', series: probeSeries('effectiveRank') }),
);
writeFile(
  join(outDir, 'dead-units.svg'),
  lineChart({ title: 'Dead hidden units (0 on all of the last 2000 inputs)', xLabel: 'examples', yLabel: 'fraction dead', series: probeSeries('deadFraction'), yRange: [0, 1] }),
);

const summaryJson = {
  benchmark: 'bit-flipping',
  variant: variantRun,
  streamId: runs[0].streamId,
  examples: examplesRun,
  seeds: seedsRun,
  binSize,
  windows: Object.fromEntries(Object.entries(windows).map(([name, [a, b]]) => [name, [a * binSize, b * binSize]])),
  command,
  machine,
  wallSeconds,
  reference: REFERENCE,
  checks,
  methods: summaries,
};
writeFile(join(outDir, 'summary.json'), JSON.stringify(summaryJson, null, 2) + '\n');

// ── Markdown report ───────────────────────────────────────────────────────────────────────────
const windowLabel = (name: WindowName) => `${name} ${(windows[name][0] * binSize) / 1000}k–${(windows[name][1] * binSize) / 1000}k`;
const table = markdownTable(
  ['method', 'setup', ...(['first', 'middle', 'last'] as const).map(windowLabel), 'last / first', 'reference (PyTorch) first / middle / last', 'final erank', 'final dead', 'resets / run', 'µs / example'],
  summaries.map((s) => [
    `**${s.method}**`,
    s.summary,
    formatMeanStderr(s.error.first),
    formatMeanStderr(s.error.middle),
    formatMeanStderr(s.error.last),
    `${(s.error.last.mean / s.error.first.mean).toFixed(2)}×`,
    REFERENCE[s.method]?.map((v) => v.toFixed(3)).join(' / ') ?? '—',
    formatMeanStderr(s.finalEffectiveRank, 2),
    formatMeanStderr(s.finalDeadFraction, 2),
    s.resets.mean.toFixed(0),
    s.microsecondsPerExample.mean.toFixed(2),
  ]),
);
const mdPath = `${outDir.replace(/\/+$/, '')}.md`;
const rel = (file: string) => relative(dirname(mdPath), join(outDir, file));
const notesPath = join(outDir, 'notes.md');
const notes = existsSync(notesPath) ? `\n## Notes\n\n${readFileSync(notesPath, 'utf8').trim()}\n` : '';
const md = `# Slowly-changing regression (bit-flipping): reproduction

Generated by \`scripts/reproduce/bit-flipping.ts\`; per-run JSON in \`${outDir}/runs/\`, the numbers below in \`${outDir}/summary.json\`.

- **Problem** (algorithms.md §4.1): 20 input bits (15 slow, 5 fresh per example), target a fixed random 100-unit LTU network;
  the slow bits change every 10,000 examples — variant **\`${variantRun}\`** (stream \`${runs[0].streamId}\`${variantRun === 'resample' ? ", the reference repo's default cfg `prob.json`" : ', one slow bit flipped per task, as the papers describe it'}).
- **Learner**: 20 → 5 ReLU → 1, Kaiming-uniform hidden weights, output Kaiming-uniform with linear gain (\`lecun_uniform\`), biases 0,
  SGD step 0.01, batch 1, MSE; the error of each example is measured before the update on it and binned over ${binSize / 1000}k examples.
- **Scale**: ${examplesRun.toLocaleString('en-US')} examples, ${seedsRun} seeds per method (seed k: same stream and same initial weights for every method).
- **Command**: \`${summaryJson.command}\`
- **Machine**: ${summaryJson.machine}
- **Wall time**: ${formatDuration(wallSeconds)} for all ${runs.length} runs.

## Mean squared error, mean ± standard error over seeds

${table}

The reference row is the official PyTorch code (5 seeds, our machines) over the same windows.

## The expected picture

${checks.map((c) => `- ${c.pass ? '✅' : '❌'} ${c.claim}: ${c.value}`).join('\n')}
${notes}
## Plots

![online squared error](${rel('error.svg')})

![effective rank](${rel('effective-rank.svg')})

![dead units](${rel('dead-units.svg')})
`;
writeFile(mdPath, md);
console.log(`\n${table}\n\n${checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.claim}: ${c.value}`).join('\n')}`);
console.log(`wall time ${formatDuration(wallSeconds)}; report: ${mdPath}`);
