/**
 * Summaries, plots and the markdown table of the nonstationary RL comparison: per method, mean ±
 * standard error over seeds of the return reached after early and late shifts, the paired
 * difference to the plain agent, and dormant/dead ratios and effective rank per layer early and late.
 */
import { join } from 'node:path';
import { curveStats, formatMeanStderr, meanStderr } from '../reproduce/stats.ts';
import type { MeanStderr } from '../reproduce/stats.ts';
import { lineChart } from '../reproduce/svg-plot.ts';
import { markdownTable, writeFile } from '../reproduce/report.ts';
import type { RlMethodName } from './rl-methods.ts';
import type { RlRunResult, WindowPoint } from './rl-run.ts';
import { regimeRangeMean } from './shift-summary.ts';

export interface RegimeRanges {
  /** Regimes [from, to) counted as "early" (after the first shifts) and "late" (the last ones). */
  early: [number, number];
  late: [number, number];
}

export interface LayerSummary {
  layer: string;
  dormantEarly: MeanStderr;
  dormantLate: MeanStderr;
  deadLate: MeanStderr;
  effectiveRankEarly: MeanStderr;
  effectiveRankLate: MeanStderr;
  resets: MeanStderr;
}

export interface RlMethodSummary {
  method: RlMethodName;
  summary: string;
  seeds: number;
  /** Final return of regime 0 (learning from scratch, before any shift). */
  firstRegime: MeanStderr;
  finalReturnEarly: MeanStderr;
  finalReturnLate: MeanStderr;
  meanReturnLate: MeanStderr;
  /** Per run, late final return minus its own early final return: the decline across shifts within a method. */
  lateMinusEarly: MeanStderr;
  /** Per seed, late final return minus the plain agent's (same seed, same regimes); null without plain runs. */
  lateVersusPlain: MeanStderr | null;
  layers: LayerSummary[];
  stepsPerSecond: MeanStderr;
}

/** Early = the first `count` regimes after a shift; late = the last `count` regimes. */
export function regimeRanges(regimeCount: number, count: number): RegimeRanges {
  const size = Math.max(1, Math.min(count, Math.floor((regimeCount - 1) / 2)));
  return { early: [1, 1 + size], late: [regimeCount - size, regimeCount] };
}

/** Mean of a layer field over the windows whose end falls in regimes [from, to). */
function windowRangeMean(run: RlRunResult, layer: string, field: 'dormantRatio' | 'deadRatio' | 'effectiveRank', from: number, to: number): number {
  const start = run.regimes[from].start;
  const end = run.regimes[to - 1].end;
  const values = run.windows
    .filter((window) => window.step > start && window.step <= end)
    .map((window) => window.layers.find((point) => point.layer === layer)?.[field])
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function summarizeMethods(runs: RlRunResult[], methods: RlMethodName[], ranges: RegimeRanges): RlMethodSummary[] {
  const plainBySeed = new Map(runs.filter((run) => run.method === 'plain').map((run) => [run.seed, run]));
  return methods.map((method) => {
    const own = runs.filter((run) => run.method === method);
    const late = (run: RlRunResult) => regimeRangeMean(run.regimes, 'finalReturn', ...ranges.late);
    const early = (run: RlRunResult) => regimeRangeMean(run.regimes, 'finalReturn', ...ranges.early);
    const paired = own.filter((run) => plainBySeed.has(run.seed)).map((run) => late(run) - late(plainBySeed.get(run.seed)!));
    const layerNames = own[0]?.windows[0]?.layers.map((point) => point.layer) ?? [];
    return {
      method,
      summary: own[0]?.methodSummary ?? '',
      seeds: own.length,
      firstRegime: meanStderr(own.map((run) => run.regimes[0].finalReturn)),
      finalReturnEarly: meanStderr(own.map(early)),
      finalReturnLate: meanStderr(own.map(late)),
      meanReturnLate: meanStderr(own.map((run) => regimeRangeMean(run.regimes, 'meanReturn', ...ranges.late))),
      lateMinusEarly: meanStderr(own.map((run) => late(run) - early(run))),
      lateVersusPlain: method === 'plain' || paired.length === 0 ? null : meanStderr(paired),
      layers: layerNames.map((layer) => ({
        layer,
        dormantEarly: meanStderr(own.map((run) => windowRangeMean(run, layer, 'dormantRatio', ...ranges.early))),
        dormantLate: meanStderr(own.map((run) => windowRangeMean(run, layer, 'dormantRatio', ...ranges.late))),
        deadLate: meanStderr(own.map((run) => windowRangeMean(run, layer, 'deadRatio', ...ranges.late))),
        effectiveRankEarly: meanStderr(own.map((run) => windowRangeMean(run, layer, 'effectiveRank', ...ranges.early))),
        effectiveRankLate: meanStderr(own.map((run) => windowRangeMean(run, layer, 'effectiveRank', ...ranges.late))),
        resets: meanStderr(own.map((run) => run.resets[layer] ?? 0)),
      })),
      stepsPerSecond: meanStderr(own.map((run) => run.stepsPerSecond)),
    };
  });
}

const fmt = (s: MeanStderr, digits: number) => (Number.isFinite(s.mean) ? formatMeanStderr(s, digits) : '—');

/** The return table: one row per method. */
export function returnTable(summaries: RlMethodSummary[], ranges: RegimeRanges): string {
  const label = ([from, to]: [number, number]) => (to - from === 1 ? `regime ${from}` : `regimes ${from}–${to - 1}`);
  return markdownTable(
    ['method', 'setup', 'regime 0 (no shift yet)', `after early shifts (${label(ranges.early)})`, `after late shifts (${label(ranges.late)})`, 'late − early (same run)', 'late − plain (paired by seed)', `mean return over ${label(ranges.late)}`],
    summaries.map((s) => [
      `**${s.method}**`,
      s.summary,
      fmt(s.firstRegime, 1),
      fmt(s.finalReturnEarly, 1),
      fmt(s.finalReturnLate, 1),
      fmt(s.lateMinusEarly, 1),
      s.lateVersusPlain ? fmt(s.lateVersusPlain, 1) : '—',
      fmt(s.meanReturnLate, 1),
    ]),
  );
}

/** The per-layer table: dormant (τ = 0.025), dead and effective rank early vs late, and resets. */
export function layerTable(summaries: RlMethodSummary[]): string {
  return markdownTable(
    ['method', 'layer', 'dormant early', 'dormant late', 'dead late', 'erank early', 'erank late', 'resets / run'],
    summaries.flatMap((s) =>
      s.layers.map((layer) => [
        `**${s.method}**`,
        layer.layer,
        fmt(layer.dormantEarly, 3),
        fmt(layer.dormantLate, 3),
        fmt(layer.deadLate, 3),
        fmt(layer.effectiveRankEarly, 2),
        fmt(layer.effectiveRankLate, 2),
        layer.resets.mean.toFixed(0),
      ]),
    ),
  );
}

/** Per window, the latest mean episode return so far (windows without a finished episode repeat the previous one), smoothed over `span` windows. */
export function returnCurve(windows: WindowPoint[], span: number): number[] {
  const filled: number[] = [];
  let last = 0;
  for (const window of windows) {
    if (window.episodeReturn !== null && Number.isFinite(window.episodeReturn)) last = window.episodeReturn;
    filled.push(last);
  }
  return filled.map((_, k) => {
    const from = Math.max(0, k - span + 1);
    let sum = 0;
    for (let j = from; j <= k; j++) sum += filled[j];
    return sum / (k - from + 1);
  });
}

/** Writes the SVG plots into `outDir`; returns their file names with a caption each. */
export function writePlots(outDir: string, runs: RlRunResult[], methods: RlMethodName[], title: string): Array<{ file: string; caption: string }> {
  const byMethod = (method: RlMethodName) => runs.filter((run) => run.method === method);
  const seeds = new Set(runs.map((run) => run.seed)).size;
  const plots: Array<{ file: string; caption: string }> = [];
  const band = (curves: number[][], x: number[], label: string) => {
    const stats = curveStats(curves);
    return { label, x: x.slice(0, stats.mean.length), y: stats.mean, lower: stats.lower, upper: stats.upper };
  };
  const present = methods.filter((method) => byMethod(method).length > 0);

  const regimeSeries = present.map((method) => {
    const own = byMethod(method);
    const curves = own.map((run) => run.regimes.map((regime) => (Number.isFinite(regime.finalReturn) ? regime.finalReturn : 0)));
    return band(curves, own[0].regimes.map((regime) => regime.regime), method);
  });
  writeFile(join(outDir, 'return-per-regime.svg'), lineChart({ title: `${title}: return reached in each regime, mean ± s.e. over ${seeds} seeds`, xLabel: 'regime (0 = before the first shift)', yLabel: 'mean return, last episodes of the regime', series: regimeSeries }));
  plots.push({ file: 'return-per-regime.svg', caption: 'return reached before the next shift, per regime' });

  const windowSteps = (method: RlMethodName) => byMethod(method)[0].windows.map((window) => window.step);
  const returnSeries = present.map((method) => band(byMethod(method).map((run) => returnCurve(run.windows, 5)), windowSteps(method), method));
  writeFile(join(outDir, 'return-curve.svg'), lineChart({ title: `${title}: episode return (window mean, smoothed over 5 windows)`, xLabel: 'env steps', yLabel: 'episode return', series: returnSeries }));
  plots.push({ file: 'return-curve.svg', caption: 'episode return over time' });

  const layers = byMethod(present[0])[0].windows[0]?.layers.map((point) => point.layer) ?? [];
  for (const layer of layers) {
    const slug = layer.replace(/\//g, '-');
    const field = (name: 'dormantRatio' | 'effectiveRank') =>
      present.map((method) =>
        band(
          byMethod(method).map((run) => run.windows.map((window) => window.layers.find((point) => point.layer === layer)?.[name] ?? NaN)),
          windowSteps(method),
          method,
        ),
      );
    writeFile(join(outDir, `dormant-${slug}.svg`), lineChart({ title: `Dormant units (τ = 0.025) in ${layer}, mean ± s.e.`, xLabel: 'env steps', yLabel: 'fraction dormant', series: field('dormantRatio'), yRange: [0, 1] }));
    writeFile(join(outDir, `effective-rank-${slug}.svg`), lineChart({ title: `Effective rank of ${layer} (probe of recent observations), mean ± s.e.`, xLabel: 'env steps', yLabel: 'effective rank', series: field('effectiveRank') }));
    plots.push({ file: `dormant-${slug}.svg`, caption: `dormant units, ${layer}` }, { file: `effective-rank-${slug}.svg`, caption: `effective rank, ${layer}` });
  }
  return plots;
}
