/**
 * The experiment's report: reads every finished run's series from its run log, writes summary.csv,
 * the plots (plots.ts) and report.md — the command, the resolved setup, a table per metric (rows =
 * methods with their grid values, columns = phases, cells mean ± standard error over seeds, plus the
 * last/first ratio for performance) and the plots. No wall times or dates, so an interrupted and
 * resumed experiment reports byte-for-byte what an uninterrupted one does (timings: timing.json).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { RUN_LOG_FILE } from '../daemon/store/agent-directory.ts';
import { writePlots } from './plots.ts';
import type { ResolvedExperiment } from './resolve.ts';
import { readDoneMarker, runDirectory } from './runner.ts';
import type { DoneMarker } from './runner.ts';
import { readRunSeries } from './series.ts';
import type { RunSeries } from './series.ts';
import { metricTable, summaryCsv, summaryRows } from './summary.ts';
import type { MetricTable, TableCell } from './summary.ts';

export interface ReportOptions {
  experiment: ResolvedExperiment;
  outDir: string;
  /** The command line shown at the top (without flags that do not change results, such as --workers). */
  command: string;
}

export interface ReportFiles {
  report: string;
  summary: string;
  plots: string[];
}

/** Compact, stable number formatting for tables. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toFixed(0);
  if (magnitude >= 100) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}

function formatCell(cell: TableCell | null, seeds: number): string {
  if (cell === null) return '—';
  // One seed has no standard error.
  const text = cell.n < 2 ? formatNumber(cell.mean) : `${formatNumber(cell.mean)} ± ${formatNumber(cell.standardError)}`;
  return cell.n === seeds ? text : `${text} (n=${cell.n})`;
}

function phaseTitle(phase: { name: string; from: number; to: number }): string {
  return `${phase.name} ${formatSteps(phase.from)}–${formatSteps(phase.to)}`;
}

function formatSteps(steps: number): string {
  if (steps >= 1_000_000 && steps % 100_000 === 0) return `${steps / 1_000_000}M`;
  if (steps >= 1000 && steps % 100 === 0) return `${steps / 1000}k`;
  return String(steps);
}

function metricTitle(metric: string, series: RunSeries[]): string {
  if (metric !== 'performance') return metric;
  const kinds = [...new Set(series.flatMap((s) => s.windows.map((w) => w.performanceKind)).filter((k) => k !== null))];
  const names: Record<string, string> = { loss: 'online loss (lower is better)', accuracy: 'online accuracy (higher is better)', episodeReturn: 'mean episode return (higher is better)' };
  return `performance: ${kinds.map((k) => names[k] ?? k).join(' / ') || 'no data'}`;
}

/**
 * Performance tables end with last / first when every first and last mean is positive (losses,
 * accuracies), and with last − first otherwise: a ratio of negative returns reads backwards.
 */
export function renderTable(experiment: Pick<ResolvedExperiment, 'report' | 'seeds'>, table: MetricTable): string[] {
  const phases = experiment.report.phases;
  const compare = table.metric === 'performance' && phases.length >= 2;
  const ends = (variant: string) => [table.cells[variant][phases[0].name], table.cells[variant][phases[phases.length - 1].name]] as const;
  const ratio = compare && table.variants.every((variant) => ends(variant).every((cell) => cell != null && cell.mean > 0));
  const first = phases[0]?.name;
  const last = phases[phases.length - 1]?.name;
  const header = ['method', ...phases.map(phaseTitle), ...(compare ? [ratio ? `${last} / ${first}` : `${last} − ${first}`] : [])];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const variant of table.variants) {
    const cells = phases.map((phase) => formatCell(table.cells[variant][phase.name], experiment.seeds.length));
    if (compare) {
      const [from, to] = ends(variant);
      if (!from || !to || !Number.isFinite(from.mean) || !Number.isFinite(to.mean)) cells.push('—');
      else cells.push(ratio ? `${(to.mean / from.mean).toFixed(2)}×` : `${to.mean - from.mean >= 0 ? '+' : ''}${formatNumber(to.mean - from.mean)}`);
    }
    lines.push(`| **${variant}** | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Reads the finished runs, writes summary.csv, plots/ and report.md into outDir. */
export async function writeReport(options: ReportOptions): Promise<ReportFiles> {
  const { experiment, outDir } = options;
  const series = new Map<string, RunSeries>();
  const failed: Array<{ id: string; marker: DoneMarker }> = [];
  for (const run of experiment.runs) {
    const marker = await readDoneMarker(outDir, run.id);
    if (marker === null) continue;
    if (marker.status === 'failed') failed.push({ id: run.id, marker });
    else series.set(run.id, await readRunSeries(join(runDirectory(outDir, run.id), RUN_LOG_FILE), { runId: run.id, method: run.variant, seed: run.seed }));
  }
  const rows = summaryRows(experiment, series);
  const summaryPath = join(outDir, 'summary.csv');
  await writeFile(summaryPath, summaryCsv(experiment, rows));

  const allSeries = experiment.runs.map((run) => series.get(run.id)).filter((s): s is RunSeries => s !== undefined);
  const isStream = experiment.runs[0]?.spec.stream !== undefined;
  const unit = isStream ? 'examples' : 'env steps';
  const plots = await writePlots(outDir, allSeries, { title: experiment.name, xLabel: unit });

  const first = experiment.runs[0]?.spec;
  const variants = [...new Set(experiment.runs.map((run) => run.variant))];
  const axes = Object.entries(experiment.grid);
  const lines: string[] = [`# ${experiment.name}`, ''];
  if (experiment.description) lines.push(experiment.description, '');
  lines.push('Generated by:', '', '```sh', options.command, '```', '');
  lines.push('## Setup', '');
  lines.push(`- **Problem**: ${first?.stream ? `stream \`${first.stream.id}\`` : `env \`${first?.env?.id ?? '?'}\``}; agent \`${first?.agent.kind ?? '?'}\`.`);
  lines.push(`- **Scale**: \`${experiment.scale}\`, ${experiment.steps.toLocaleString('en-US')} ${unit} per run, windows of ${first?.windowLength.toLocaleString('en-US') ?? '?'} ${unit}.`);
  lines.push(`- **Runs**: ${experiment.runs.length} = ${Object.keys(experiment.methods).length} methods${axes.map(([axis, values]) => ` × ${values.length} values of \`${axis}\``).join('')} × ${experiment.seeds.length} seeds (${experiment.seeds.join(', ')}); seed k gives every method the same ${isStream ? 'stream' : 'env seed'} and initial weights.`);
  lines.push(`- **Phases**: a phase's value is the mean over the windows whose end step lies in (from, to]; cells are mean ± standard error over seeds.`);
  lines.push('', '### Methods (overrides of the base spec)', '', '| method | overrides |', '| --- | --- |');
  for (const [method, overrides] of Object.entries(experiment.methods)) {
    lines.push(`| **${method}** | ${Object.keys(overrides).length === 0 ? '(base)' : `\`${JSON.stringify(overrides).replace(/\|/g, '\\|')}\``} |`);
  }
  if (axes.length > 0) {
    lines.push('', '### Grid', '', ...axes.map(([axis, values]) => `- \`${axis}\`: ${values.map((v) => `\`${String(v)}\``).join(', ')}`));
  }
  lines.push('', '### Base spec', '', '```yaml', toYaml(experiment.base).trimEnd(), '```', '');

  lines.push('## Results', '');
  for (const metric of experiment.report.metrics) {
    lines.push(`### ${metricTitle(metric, allSeries)}`, '', ...renderTable(experiment, metricTable(experiment, rows, metric)), '');
  }
  const missing = experiment.runs.filter((run) => !series.has(run.id) && !failed.some((f) => f.id === run.id));
  if (failed.length > 0 || missing.length > 0) {
    lines.push('### Runs not in the tables', '');
    for (const { id, marker } of failed) lines.push(`- \`${id}\`: failed at step ${marker.steps}: ${marker.error?.code ?? ''} ${marker.error?.message ?? ''}`.trimEnd());
    for (const run of missing) lines.push(`- \`${run.id}\`: not finished`);
    lines.push('');
  }
  if (variants.length > 0 && plots.length > 0) {
    lines.push('## Plots', '');
    for (const plot of plots) lines.push(`![${plot.caption}](${plot.file})`, '');
  }
  lines.push('## Files', '');
  lines.push('- `experiment.json`: the resolved configuration (every run\'s full AgentSpec).');
  lines.push('- `summary.csv`: one row per run × phase × metric.');
  lines.push(`- \`runs/agents/<run>/${RUN_LOG_FILE}\`: each run's event log (the daemon's run log format); \`checkpoints/\` its last checkpoints.`);
  lines.push('- `timing.json`: wall-clock seconds per run (kept out of this report so it is reproducible).');
  const reportPath = join(outDir, 'report.md');
  await writeFile(reportPath, `${lines.join('\n')}\n`);
  return { report: reportPath, summary: summaryPath, plots: plots.map((plot) => join(outDir, plot.file)) };
}
