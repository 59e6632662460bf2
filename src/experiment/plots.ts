/**
 * The experiment report's plots, as SVG files drawn with Vega-Lite (rendered in Node, no browser):
 * the learning curve (performance vs step, mean ± standard error over seeds per method, shift
 * markers), binned episode returns for RL runs, and one chart per plasticity metric with a panel per
 * layer (or per network), method against method. Same input ⇒ byte-identical files, because the
 * runner's resume test compares reports.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYER_METRICS, NETWORK_METRICS, scalarKeys } from './series.ts';
import type { RunSeries } from './series.ts';
import { curveChartSpec } from './plots/curve-chart.ts';
import type { CurveChartInput } from './plots/curve-chart.ts';
import { curveRows, episodeRows, groupByMethod, seedCountText, shiftMarkers } from './plots/plot-data.ts';
import type { CurveRow, MethodGroup } from './plots/plot-data.ts';
import { renderSvg } from './plots/render-svg.ts';

export interface PlotOptions {
  title: string;
  /** x axis label, e.g. 'examples' or 'env steps' */
  xLabel: string;
  /** Charts drawn with a log y axis, by key or metric name: 'performance', 'episodeReturn', 'gradNorm', 'srank', … */
  logScale?: string[];
  /** Most points per method line (bucket-averaged beyond); default 500, lowered for charts with many lines. */
  maxPointsPerLine?: number;
  /** Most shift markers drawn; beyond, every k-th shift is shown. Default 40. */
  maxShiftMarkers?: number;
  /** Bins of the episode-return chart. Default 100. */
  episodeBins?: number;
  /** Only these layer/network metric charts (metric names, e.g. ['deadRatio', 'srank']); default every metric with data. */
  metrics?: string[];
}

export interface PlotFile {
  /** Path relative to outDir, with forward slashes: 'plots/learning-curve.svg'. */
  file: string;
  caption: string;
}

/** Axis labels of the per-layer and per-network metrics (units in brackets where not obvious). */
export const METRIC_LABELS: Record<string, string> = {
  deadRatio: 'dead units (fraction)',
  dormantRatio: 'dormant units, τ = 0.025 (fraction)',
  dormantRatioTau01: 'dormant units, τ = 0.1 (fraction)',
  saturatedRatio: 'saturated units (fraction)',
  duplicateRatio: 'duplicate units, cosine (fraction)',
  duplicatePearsonRatio: 'duplicate units, Pearson (fraction)',
  effectiveRank: 'effective rank',
  srank: 'srank (δ = 0.01)',
  stableRank: 'stable rank',
  participationRatio: 'participation ratio',
  weightMagnitude: 'mean |w|',
  resets: 'units reset per window',
  drift: 'weight drift ‖θ − θ₀‖ / ‖θ₀‖',
  gradNorm: 'gradient norm',
  updateNorm: 'update norm',
  loss: 'training loss',
  curvatureSrank: 'Gauss-Newton srank',
};

const PERFORMANCE_LABELS: Record<string, string> = { accuracy: 'accuracy', loss: 'loss', episodeReturn: 'mean episode return' };

/** Network-level metrics that get a chart ('updates' is a count of optimizer steps, not a metric). */
const NETWORK_CHART_METRICS = NETWORK_METRICS.filter((m) => m !== 'updates');

/** Writes SVG files into `outDir/plots/`; returns their paths relative to outDir, with a caption each. */
export async function writePlots(outDir: string, runs: RunSeries[], options: PlotOptions): Promise<PlotFile[]> {
  if (runs.length === 0) return [];
  const groups = groupByMethod(runs);
  const methods = groups.map((g) => g.method);
  const seeds = seedCountText(groups);
  const shifts = shiftMarkers(runs, options.maxShiftMarkers ?? 40);
  const shiftText = shifts.total === 0 ? '' : shifts.every === 1 ? '; dashed lines mark shifts' : `; dashed lines mark every ${ordinal(shifts.every)} of ${shifts.total} shifts`;
  const logScale = new Set(options.logScale ?? []);
  const pointBudget = (lines: number) => Math.max(60, Math.min(options.maxPointsPerLine ?? 500, Math.floor(4000 / Math.max(1, lines))));
  const plotsDir = join(outDir, 'plots');
  await mkdir(plotsDir, { recursive: true });
  const written: PlotFile[] = [];
  const emit = async (name: string, input: CurveChartInput, caption: string, bounds: Bounds = {}) => {
    if (input.rows.length === 0) return;
    input.rows = clampBands(input.rows, bounds);
    await writeFile(join(plotsDir, name), await renderSvg(curveChartSpec(input)));
    written.push({ file: `plots/${name}`, caption });
  };
  const keys = unionKeys(runs);

  if (keys.includes('performance')) {
    const kind = performanceKind(runs);
    const label = PERFORMANCE_LABELS[kind] ?? kind;
    const log = logScale.has('performance') || logScale.has(kind);
    await emit(
      'learning-curve.svg',
      {
        title: `${options.title}: ${label}`,
        subtitle: `mean ± standard error over ${seeds} per method`,
        xLabel: options.xLabel,
        yLabel: `${label} (per window)`,
        methods,
        rows: curveRows(groups, 'performance', '', pointBudget(methods.length), log),
        shiftSteps: shifts.steps,
        logScale: log,
      },
      `Learning curve: ${label} per window against ${options.xLabel}, mean ± standard error over ${seeds} per method${shiftText}.`,
      kind === 'accuracy' ? { lower: 0, upper: 1 } : {},
    );
  }

  if (runs.some((r) => r.episodes.length > 0)) {
    const bins = options.episodeBins ?? 100;
    const log = logScale.has('episodeReturn');
    const rows = episodeRows(groups, bins);
    await emit(
      'episode-returns.svg',
      {
        title: `${options.title}: episode return`,
        subtitle: `episodes binned into ${bins} spans of ${options.xLabel}; mean ± standard error over ${seeds}`,
        xLabel: options.xLabel,
        yLabel: 'episode return',
        methods,
        rows: log ? rows.map((r) => (r.lower <= 0 ? { ...r, lower: r.mean } : r)) : rows,
        shiftSteps: shifts.steps,
        logScale: log,
      },
      `Episode returns binned by the ${options.xLabel.replace(/s$/, '')} they ended at (${bins} bins), each run's bin mean, then mean ± standard error over ${seeds} per method${shiftText}.`,
    );
  }

  const wanted = (metric: string) => !options.metrics || options.metrics.includes(metric);
  for (const metric of LAYER_METRICS.filter(wanted)) {
    const panels = keys.filter((k) => k.split('/').length === 3 && k.endsWith(`/${metric}`)).map((k) => k.slice(0, -metric.length - 1));
    await emit(`layer-${metric}.svg`, metricChart(options, groups, methods, panels, metric, shifts.steps, logScale, pointBudget), metricCaption(metric, 'layer', seeds, options, shiftText), metric.endsWith('Ratio') && metric !== 'participationRatio' ? { lower: 0, upper: 1 } : {});
  }
  for (const metric of NETWORK_CHART_METRICS.filter(wanted)) {
    const panels = keys.filter((k) => k.split('/').length === 2 && !k.startsWith('performance') && k.endsWith(`/${metric}`)).map((k) => k.slice(0, -metric.length - 1));
    await emit(`network-${metric}.svg`, metricChart(options, groups, methods, panels, metric, shifts.steps, logScale, pointBudget), metricCaption(metric, 'network', seeds, options, shiftText));
  }
  return written;
}

interface Bounds {
  lower?: number;
  upper?: number;
}

/**
 * Keeps the standard-error band inside the values the quantity can take: [0, 1] for fractions, and
 * at or above 0 whenever no mean in the chart is negative (counts, norms, ranks, losses), so the axis
 * does not stretch to impossible values.
 */
function clampBands(rows: CurveRow[], bounds: Bounds): CurveRow[] {
  const lower = bounds.lower ?? (rows.every((r) => r.mean >= 0) ? 0 : -Infinity);
  const upper = bounds.upper ?? Infinity;
  return rows.map((r) => ({ ...r, lower: Math.max(lower, Math.min(r.lower, r.mean)), upper: Math.min(upper, Math.max(r.upper, r.mean)) }));
}

function metricChart(
  options: PlotOptions,
  groups: MethodGroup[],
  methods: string[],
  panels: string[],
  metric: string,
  shiftSteps: number[],
  logScale: Set<string>,
  pointBudget: (lines: number) => number,
): CurveChartInput {
  const log = logScale.has(metric);
  const maxPoints = pointBudget(methods.length * panels.length);
  const rows: CurveRow[] = panels.flatMap((panel) => curveRows(groups, `${panel}/${metric}`, panel, maxPoints, log));
  const label = METRIC_LABELS[metric] ?? metric;
  return {
    title: `${options.title}: ${label}`,
    subtitle: panels.length > 1 ? 'one panel per layer; mean ± standard error over seeds' : `${panels[0] ?? ''}; mean ± standard error over seeds`,
    xLabel: options.xLabel,
    yLabel: label,
    methods,
    rows,
    shiftSteps,
    logScale: log,
    panels,
  };
}

/** Metrics measured on the monitor's probe batch at the end of a window (the others are sums or means over the window's steps). */
const PROBE_METRICS = new Set<string>(LAYER_METRICS.filter((m) => m !== 'resets' && m !== 'weightMagnitude'));

function metricCaption(metric: string, per: 'layer' | 'network', seeds: string, options: PlotOptions, shiftText: string): string {
  const label = METRIC_LABELS[metric] ?? metric;
  const how =
    per === 'layer' && PROBE_METRICS.has(metric)
      ? 'measured on the probe batch at the end of each window'
      : metric === 'weightMagnitude' || metric === 'drift'
        ? 'at the end of each window'
        : metric === 'curvatureSrank'
          ? 'on the windows where it was computed'
          : metric === 'resets'
            ? 'counted per window'
            : "averaged over each window's training steps";
  return `${capitalize(label)} per ${per} against ${options.xLabel}, ${how}; mean ± standard error over ${seeds} per method${shiftText}.`;
}

/** Keys with a value in any run, in the order of first appearance (run order, then scalarKeys order). */
function unionKeys(runs: RunSeries[]): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const run of runs) {
    for (const key of scalarKeys(run)) {
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
    }
  }
  return keys;
}

/** The most common headline performance kind over all windows (ties: first in accuracy, episodeReturn, loss order). */
function performanceKind(runs: RunSeries[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) for (const w of run.windows) if (w.performanceKind) counts.set(w.performanceKind, (counts.get(w.performanceKind) ?? 0) + 1);
  let best = 'performance';
  let bestCount = 0;
  for (const kind of ['accuracy', 'episodeReturn', 'loss']) {
    const count = counts.get(kind) ?? 0;
    if (count > bestCount) {
      best = kind;
      bestCount = count;
    }
  }
  return best;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
