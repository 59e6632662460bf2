/**
 * Turns the `--json` outputs of the learning scripts into the markdown tables of
 * docs/results/agents-learning.md: per-seed final numbers and the learning curve (training
 * last-20 mean / greedy mean at each evaluation point, or the stream AC's checkpoints); files of
 * the same experiment (one process per seed) merge into one table.
 * `npx tsx scripts/learning/summarize.ts run1.json [run2.json …]`
 */
import { readFileSync } from 'node:fs';
import type { SeedResult } from './harness.ts';

interface HarnessFile {
  name: string;
  args: { steps: number; seeds: number[] };
  target?: number;
  results: SeedResult[];
}

interface StreamAcFile {
  hiddenUnits: number[];
  totalSteps: number;
  results: { seed: number; checkpoints: { step: number; episodes: number; meanLast20: number }[]; episodeReturns: number[]; stepsPerSecond: number }[];
}

const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function harnessTables(file: HarnessFile): string {
  const lines = [`### ${file.name}, ${file.args.steps.toLocaleString('en-US')} steps`, ''];
  const target = file.target;
  lines.push('| seed | greedy mean (20 ep.) | greedy min | last-20 training mean | episodes | env steps/s |' + (target !== undefined ? ` greedy ≥ ${target}? |` : ''));
  lines.push('|---:|---:|---:|---:|---:|---:|' + (target !== undefined ? ':-:|' : ''));
  for (const r of file.results) {
    const pass = target === undefined ? '' : ` ${r.evalMean >= target ? 'yes' : 'no'} |`;
    lines.push(`| ${r.seed} | ${fixed(r.evalMean)} | ${fixed(Math.min(...r.evalReturns))} | ${fixed(r.last20)} | ${r.episodes} | ${r.stepsPerSecond.toFixed(0)} |${pass}`);
  }
  lines.push(`| mean | ${fixed(mean(file.results.map((r) => r.evalMean)))} | | ${fixed(mean(file.results.map((r) => r.last20)))} | | ${mean(file.results.map((r) => r.stepsPerSecond)).toFixed(0)} |${target !== undefined ? ' |' : ''}`);
  if (file.results[0].curve.length > 1) {
    lines.push('', 'Curve (training last-20 mean / greedy mean):', '');
    lines.push(`| step | ${file.results.map((r) => `seed ${r.seed}`).join(' | ')} |`);
    lines.push(`|---:|${file.results.map(() => '---:|').join('')}`);
    for (let k = 0; k < file.results[0].curve.length; k++) {
      const cells = file.results.map((r) => (r.curve[k] ? `${fixed(r.curve[k].trainLast20)} / ${fixed(r.curve[k].evalMean)}` : ''));
      lines.push(`| ${file.results[0].curve[k].step.toLocaleString('en-US')} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function streamAcTables(file: StreamAcFile): string {
  const lines = [`### Stream AC(λ) CartPole-v1, hidden ${file.hiddenUnits.join('×')}, ${file.totalSteps.toLocaleString('en-US')} steps`, ''];
  lines.push('Mean return of the last 20 finished training episodes (the policy samples; there is no separate evaluation):', '');
  lines.push(`| step | ${file.results.map((r) => `seed ${r.seed}`).join(' | ')} | mean |`);
  lines.push(`|---:|${file.results.map(() => '---:|').join('')}---:|`);
  for (let k = 0; k < file.results[0].checkpoints.length; k++) {
    const row = file.results.map((r) => r.checkpoints[k].meanLast20);
    lines.push(`| ${file.results[0].checkpoints[k].step.toLocaleString('en-US')} | ${row.map(fixed).join(' | ')} | ${fixed(mean(row))} |`);
  }
  lines.push('', `Episodes: ${file.results.map((r) => r.episodeReturns.length).join(', ')}; env steps/s: ${file.results.map((r) => r.stepsPerSecond.toFixed(0)).join(', ')}.`);
  return lines.join('\n');
}

// Files of the same experiment (name and step count), e.g. one process per seed, merge into one table.
const merged = new Map<string, HarnessFile>();
for (const path of process.argv.slice(2)) {
  const file = JSON.parse(readFileSync(path, 'utf8')) as HarnessFile | StreamAcFile;
  if (!('name' in file)) {
    console.log(streamAcTables(file) + '\n');
    continue;
  }
  const key = `${file.name} ${file.args.steps}`;
  const existing = merged.get(key);
  if (existing) existing.results.push(...file.results);
  else merged.set(key, { ...file, results: [...file.results] });
}
for (const file of merged.values()) {
  file.results.sort((a, b) => a.seed - b.seed);
  console.log(harnessTables(file) + '\n');
}
