/**
 * The detailed tables of the permuted-MNIST report (scripts/reproduce/permuted-mnist.ts): online
 * accuracy of every task per method (mean ± standard error over seeds), dead units and effective
 * rank per hidden layer over time, and the section on an earlier session's longer single-seed run
 * (`<out>/earlier-seed0/`), with how many leading tasks agree with this run's seed-0 runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PermutedMnistRunResult } from './permuted-mnist-run.ts';
import type { MethodName } from './methods.ts';
import { formatMeanStderr, meanStderr, rangeMean } from './stats.ts';
import { lineChart } from './svg-plot.ts';
import { markdownTable, writeFile } from './report.ts';

type RunsOf = (method: MethodName) => PermutedMnistRunResult[];

/** One row per task: online accuracy (%) per method, mean ± s.e. over seeds. */
export function perTaskAccuracyTable(methods: MethodName[], runsOf: RunsOf, tasks: number): string {
  const rows = Array.from({ length: tasks }, (_, k) => [
    `${k + 1}`,
    ...methods.map((method) => {
      const s = meanStderr(runsOf(method).map((run) => 100 * run.accuracy[k]));
      return formatMeanStderr(s, 2);
    }),
  ]);
  return markdownTable(['task', ...methods.map((m) => `${m} (%)`)], rows);
}

/** The tasks the probe table shows: the first, about ten evenly spaced ones, and the last. */
export function probeTasks(tasks: number): number[] {
  const step = Math.max(1, Math.ceil(tasks / 10));
  const picks = new Set<number>([1]);
  for (let t = step; t <= tasks; t += step) picks.add(t);
  picks.add(tasks);
  return [...picks].sort((a, b) => a - b);
}

/** Dead units (%) and effective rank per hidden layer at the start of selected tasks, mean over seeds. */
export function probeTable(methods: MethodName[], runsOf: RunsOf, layers: number, tasks: number): string {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const rows: string[][] = [];
  for (const task of probeTasks(tasks)) {
    for (const method of methods) {
      const runs = runsOf(method);
      const perLayer = (pick: (probe: { deadFraction: number; effectiveRank: number }) => number, digits: number) =>
        Array.from({ length: layers }, (_, l) => mean(runs.map((run) => pick(run.probes[task - 1][l]))).toFixed(digits)).join(' / ');
      rows.push([`${task}`, method, perLayer((p) => p.effectiveRank, 1), perLayer((p) => 100 * p.deadFraction, 1)]);
    }
  }
  const names = Array.from({ length: layers }, (_, l) => `${l + 1}`).join('/');
  return markdownTable(['task start', 'method', `effective rank, layers ${names}`, `dead units (%), layers ${names}`], rows);
}

interface EarlierRun {
  method: MethodName;
  seed: number;
  tasksDone: number;
  accuracy: number[];
  probes: Array<Array<{ deadFraction: number; effectiveRank: number }>>;
}

/**
 * The earlier single-seed run, when `<out>/earlier-seed0/` holds its progress files: a table of its
 * first/last five tasks, a plot (written to `<out>/earlier-seed0-accuracy.svg`), and how many of its
 * leading tasks have exactly this run's seed-0 accuracy. Empty when there is no such folder.
 */
export function earlierRunSection(outDir: string, methods: MethodName[], runsOf: RunsOf, plotLink: string): string {
  const folder = join(outDir, 'earlier-seed0');
  if (!existsSync(folder)) return '';
  const earlier = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as EarlierRun)
    .filter((run) => methods.includes(run.method));
  if (earlier.length === 0) return '';
  const rows = earlier.map((run) => {
    const now = runsOf(run.method).find((r) => r.seed === run.seed);
    const overlap = now ? Math.min(now.accuracy.length, run.accuracy.length) : 0;
    let equal = 0;
    while (equal < overlap && now!.accuracy[equal] === run.accuracy[equal]) equal++;
    const n = run.accuracy.length;
    const last = run.probes[n - 1];
    return [
      `**${run.method}**`,
      `${n}`,
      (100 * rangeMean(run.accuracy, 0, 5)).toFixed(2),
      (100 * rangeMean(run.accuracy, n - 5, n)).toFixed(2),
      last.map((p) => p.effectiveRank.toFixed(1)).join(' / '),
      last.map((p) => (100 * p.deadFraction).toFixed(0)).join(' / '),
      `${equal} of ${overlap}`,
    ];
  });
  const tasks = Math.min(...earlier.map((run) => run.accuracy.length));
  writeFile(
    join(outDir, 'earlier-seed0-accuracy.svg'),
    lineChart({
      title: `Earlier session, seed 0 only: online accuracy per task (3 × 100 ReLU, 10k examples per task)`,
      xLabel: 'task',
      yLabel: 'online accuracy (%)',
      series: earlier.map((run) => ({
        label: run.method,
        x: Array.from({ length: tasks }, (_, k) => k + 1),
        y: run.accuracy.slice(0, tasks).map((a) => 100 * a),
      })),
      formatX: (v) => `${v}`,
    }),
  );
  const table = markdownTable(
    ['method', 'tasks', 'first 5 tasks (%)', 'last 5 tasks (%)', 'effective rank at the last task start, layers 1/2/3', 'dead units (%) there', 'leading tasks with the same accuracy as this run’s seed 0'],
    rows,
  );
  return `## Earlier session: seed 0 to task ${tasks} (one seed, no standard error)

An earlier session ran seed 0 of the same configuration for ${tasks} tasks before it was interrupted (it could not resume then);
its per-task files are in \`${folder}/\`. The last column counts the leading tasks whose online accuracy (a count of correct
answers out of 10,000) equals this run's seed 0. Equal values on the first tasks show the same setup; values that part later
show that the two sessions' code differed in floating-point detail (training amplifies such differences). The curves are
therefore a separate run of seed 0, not an extension of this run. They are a single seed and carry no error bars.

${table}

![earlier seed-0 accuracy](${plotLink})
`;
}
