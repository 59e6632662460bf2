/**
 * The experiment's numbers: every run's phase means (summary.csv, one row per run × phase × metric)
 * and the report's tables (per variant — a method with its grid values — and phase: mean ± standard
 * error over seeds). Pure functions of the run series, so the output is deterministic.
 */
import { meanAndStandardError, phaseMean } from './series.ts';
import type { RunSeries } from './series.ts';
import type { ResolvedExperiment } from './resolve.ts';

export interface SummaryRow {
  run: string;
  variant: string;
  method: string;
  seed: number;
  grid: Record<string, number | string | boolean>;
  phase: string;
  from: number;
  to: number;
  metric: string;
  /** Mean of the metric over the phase's windows; null when the run has no value there. */
  value: number | null;
}

export interface TableCell {
  mean: number;
  standardError: number;
  /** Seeds with a value. */
  n: number;
}

export interface MetricTable {
  metric: string;
  /** Variants in experiment order (one table row each). */
  variants: string[];
  /** variant → phase name → cell (null: no run of the variant has a value in that phase). */
  cells: Record<string, Record<string, TableCell | null>>;
}

/** One row per run × phase × metric, in experiment order. `series` holds the runs that produced data. */
export function summaryRows(experiment: ResolvedExperiment, series: ReadonlyMap<string, RunSeries>): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const run of experiment.runs) {
    const runSeries = series.get(run.id);
    if (!runSeries) continue;
    for (const phase of experiment.report.phases) {
      for (const metric of experiment.report.metrics) {
        rows.push({
          run: run.id,
          variant: run.variant,
          method: run.method,
          seed: run.seed,
          grid: run.grid,
          phase: phase.name,
          from: phase.from,
          to: phase.to,
          metric,
          value: phaseMean(runSeries, metric, phase.from, phase.to),
        });
      }
    }
  }
  return rows;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** summary.csv: run, variant, method, seed, one column per grid axis, phase, from, to, metric, value. */
export function summaryCsv(experiment: ResolvedExperiment, rows: readonly SummaryRow[]): string {
  const axes = Object.keys(experiment.grid);
  const header = ['run', 'variant', 'method', 'seed', ...axes, 'phase', 'from', 'to', 'metric', 'value'];
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) {
    lines.push([row.run, row.variant, row.method, row.seed, ...axes.map((axis) => row.grid[axis] ?? null), row.phase, row.from, row.to, row.metric, row.value].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The report's table of one metric: rows = variants, columns = phases, cells = mean ± SE over seeds. */
export function metricTable(experiment: ResolvedExperiment, rows: readonly SummaryRow[], metric: string): MetricTable {
  const variants = [...new Set(experiment.runs.map((run) => run.variant))];
  const cells: MetricTable['cells'] = {};
  for (const variant of variants) {
    cells[variant] = {};
    for (const phase of experiment.report.phases) {
      const values = rows
        .filter((row) => row.variant === variant && row.metric === metric && row.phase === phase.name && row.value !== null)
        .map((row) => row.value as number);
      cells[variant][phase.name] = values.length === 0 ? null : { ...meanAndStandardError(values), n: values.length };
    }
  }
  return { metric, variants, cells };
}
