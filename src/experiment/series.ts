/**
 * One experiment run's time series, read back from its run log (the daemon's JSONL format, one
 * RunEvent per line, see src/daemon/store/run-log.ts), and the few statistics the report and the
 * plots need: a scalar per window by key, mean ± standard error across seeds aligned on window
 * index, and a scalar's mean over a phase of the run.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LayerWindowMetrics, NetworkWindowMetrics, WindowReport } from '../../monitoring/types.ts';
import { PlasticdError } from '../util/errors.ts';

/** Which `WindowReport.performance` field a window's headline `performance` is, in order of preference. */
export const PERFORMANCE_KINDS = ['accuracy', 'episodeReturn', 'loss'] as const;
export type PerformanceKind = (typeof PERFORMANCE_KINDS)[number];

/** Numeric per-layer fields of LayerWindowMetrics that are plotted and tabulated (key 'network/layer/<name>'). */
export const LAYER_METRICS = [
  'deadRatio',
  'dormantRatio',
  'dormantRatioTau01',
  'saturatedRatio',
  'duplicateRatio',
  'duplicatePearsonRatio',
  'effectiveRank',
  'srank',
  'stableRank',
  'participationRatio',
  'weightMagnitude',
  'resets',
] as const satisfies ReadonlyArray<keyof LayerWindowMetrics>;
export type LayerMetric = (typeof LAYER_METRICS)[number];

/** Numeric network-level fields of NetworkWindowMetrics (key 'network/<name>'). */
export const NETWORK_METRICS = [
  'weightMagnitude',
  'drift',
  'gradNorm',
  'updateNorm',
  'loss',
  'curvatureSrank',
  'updates',
] as const satisfies ReadonlyArray<keyof NetworkWindowMetrics>;
export type NetworkMetric = (typeof NETWORK_METRICS)[number];

export interface SeriesWindow {
  /** Agent step at the end of the window. */
  step: number;
  /** The window's headline performance (first present of accuracy, episodeReturn, loss); null when none. */
  performance: number | null;
  performanceKind: PerformanceKind | null;
  report: WindowReport;
}

/** One run's time series read back from its run log. */
export interface RunSeries {
  /** e.g. 'cbp-seed3' */
  runId: string;
  /** Grid method name. */
  method: string;
  seed: number;
  /** One point per window event, in order. */
  windows: SeriesWindow[];
  /** Env step (or example index) of every shift event. */
  shifts: number[];
  /** Episodes (RL): step at episode end and its return. Empty for streams. */
  episodes: Array<{ step: number; return: number }>;
}

export interface Aggregate {
  /** Step of each aligned window (that of the first run having it); windows where no run has a value are left out. */
  step: number[];
  mean: number[];
  /** Sample standard deviation / √n; 0 where n = 1. */
  standardError: number[];
  /** Runs with a value at that window. */
  n: number[];
}

const KIND_PATTERN = /"kind":"([a-z]+)"/;
const WANTED_KINDS = new Set(['window', 'shift', 'episode']);

/**
 * Reads a run log line by line. Only window, shift and episode lines are parsed in full. A torn last
 * line (the run is still writing, or was killed mid-write) is ignored; a broken line in the middle
 * is an error. Events whose seq is not above the previous one (should not happen: resumed runs
 * truncate their log) are skipped so a replay never counts twice.
 */
export async function readRunSeries(logPath: string, meta: { runId: string; method: string; seed: number }): Promise<RunSeries> {
  const series: RunSeries = { runId: meta.runId, method: meta.method, seed: meta.seed, windows: [], shifts: [], episodes: [] };
  let stream;
  try {
    stream = createReadStream(logPath, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      stream!.once('open', () => resolve());
      stream!.once('error', reject);
    });
  } catch (error) {
    throw new PlasticdError('series-read', `cannot read the run log of run '${meta.runId}' at ${logPath}: ${(error as Error).message}`);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lastSeq = 0;
  let lineNumber = 0;
  let broken: { line: number; reason: string } | null = null;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    if (broken) {
      throw new PlasticdError('series-corrupt', `${logPath}: line ${broken.line} is not a run log event (${broken.reason}) but more lines follow; the log is damaged`);
    }
    const kind = KIND_PATTERN.exec(line.slice(0, 80))?.[1];
    if (kind !== undefined && !WANTED_KINDS.has(kind)) {
      const seq = /^\{"seq":(\d+)/.exec(line)?.[1];
      if (seq !== undefined) lastSeq = Math.max(lastSeq, Number(seq));
      continue;
    }
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      broken = { line: lineNumber, reason: (error as Error).message };
      continue;
    }
    const seq = event.seq;
    if (typeof seq !== 'number' || typeof event.step !== 'number') {
      broken = { line: lineNumber, reason: 'no numeric seq and step' };
      continue;
    }
    if (seq <= lastSeq) continue;
    lastSeq = seq;
    addEvent(series, event, logPath, lineNumber);
  }
  return series;
}

function addEvent(series: RunSeries, event: Record<string, unknown>, logPath: string, lineNumber: number): void {
  const step = event.step as number;
  if (event.kind === 'window') {
    const report = event.report as WindowReport | undefined;
    if (!report || typeof report !== 'object' || !Array.isArray(report.layers) || !Array.isArray(report.networks)) {
      throw new PlasticdError('series-corrupt', `${logPath}: line ${lineNumber} is a window event without a report (layers, networks)`);
    }
    const headline = headlinePerformance(report);
    series.windows.push({ step: typeof report.step === 'number' ? report.step : step, performance: headline.value, performanceKind: headline.kind, report });
  } else if (event.kind === 'shift') {
    series.shifts.push(step);
  } else if (event.kind === 'episode') {
    // A NaN return is logged as null; such an episode carries no value to plot.
    if (typeof event.return === 'number') series.episodes.push({ step, return: event.return });
  }
}

function headlinePerformance(report: WindowReport): { value: number | null; kind: PerformanceKind | null } {
  const performance = report.performance ?? {};
  for (const kind of PERFORMANCE_KINDS) {
    const value = performance[kind];
    if (typeof value === 'number' && Number.isFinite(value)) return { value, kind };
  }
  return { value: null, kind: null };
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * A scalar of one window by key:
 * - 'performance': the headline performance; 'performance/<field>': one field (loss, accuracy, episodeReturn, episodes);
 * - 'network/layer/<metric>': a LAYER_METRICS field of that network's layer (by layer name);
 * - 'network/<metric>': a NETWORK_METRICS field.
 * Null when absent, null in the log (NaN), or not a number.
 */
export function windowScalar(window: SeriesWindow, key: string): number | null {
  if (key === 'performance') return window.performance;
  const parts = key.split('/');
  if (parts[0] === 'performance' && parts.length === 2) {
    return finiteOrNull((window.report.performance as Record<string, unknown> | undefined)?.[parts[1]]);
  }
  if (parts.length === 3) {
    const [network, layer, metric] = parts;
    if (!(LAYER_METRICS as readonly string[]).includes(metric)) return null;
    const entry = window.report.layers.find((l) => l.network === network && l.layer === layer);
    return entry ? finiteOrNull(entry[metric as LayerMetric]) : null;
  }
  if (parts.length === 2) {
    const [network, metric] = parts;
    if (!(NETWORK_METRICS as readonly string[]).includes(metric)) return null;
    const entry = window.report.networks.find((n) => n.network === network);
    return entry ? finiteOrNull(entry[metric as NetworkMetric]) : null;
  }
  return null;
}

/**
 * Every key windowScalar has a value for in at least one window of the series, in a stable order:
 * 'performance', the performance fields, then per network its network metrics, then per layer
 * (in index order) its layer metrics.
 */
export function scalarKeys(series: RunSeries): string[] {
  const keys: string[] = [];
  const present = (key: string) => series.windows.some((w) => windowScalar(w, key) !== null);
  if (present('performance')) keys.push('performance');
  for (const field of [...PERFORMANCE_KINDS, 'episodes']) {
    if (present(`performance/${field}`)) keys.push(`performance/${field}`);
  }
  const networks: string[] = [];
  const layers = new Map<string, Array<{ layer: string; index: number }>>();
  for (const w of series.windows) {
    for (const n of w.report.networks) if (!networks.includes(n.network)) networks.push(n.network);
    for (const l of w.report.layers) {
      if (!networks.includes(l.network)) networks.push(l.network);
      const list = layers.get(l.network) ?? [];
      if (!list.some((x) => x.layer === l.layer)) list.push({ layer: l.layer, index: l.index });
      layers.set(l.network, list);
    }
  }
  for (const network of networks) {
    for (const metric of NETWORK_METRICS) if (present(`${network}/${metric}`)) keys.push(`${network}/${metric}`);
    const list = [...(layers.get(network) ?? [])].sort((a, b) => a.index - b.index);
    for (const { layer } of list) {
      for (const metric of LAYER_METRICS) if (present(`${network}/${layer}/${metric}`)) keys.push(`${network}/${layer}/${metric}`);
    }
  }
  return keys;
}

/** Mean and standard error across runs, aligned on window index (runs of one method share the window grid). */
export function aggregate(runs: RunSeries[], key: string): Aggregate {
  const out: Aggregate = { step: [], mean: [], standardError: [], n: [] };
  const longest = runs.reduce((max, r) => Math.max(max, r.windows.length), 0);
  const values: number[] = [];
  for (let i = 0; i < longest; i++) {
    values.length = 0;
    let step: number | null = null;
    for (const run of runs) {
      const window = run.windows[i];
      if (!window) continue;
      if (step === null) step = window.step;
      const value = windowScalar(window, key);
      if (value !== null) values.push(value);
    }
    if (values.length === 0 || step === null) continue;
    const stats = meanAndStandardError(values);
    out.step.push(step);
    out.mean.push(stats.mean);
    out.standardError.push(stats.standardError);
    out.n.push(values.length);
  }
  return out;
}

/** Mean and standard error (sample standard deviation / √n, 0 for a single value) of a non-empty list. */
export function meanAndStandardError(values: readonly number[]): { mean: number; standardError: number } {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { mean, standardError: 0 };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/** Mean of a scalar over windows whose END step lies in (from, to]; null if none has a value. */
export function phaseMean(series: RunSeries, key: string, from: number, to: number): number | null {
  let sum = 0;
  let count = 0;
  for (const window of series.windows) {
    if (window.step <= from || window.step > to) continue;
    const value = windowScalar(window, key);
    if (value === null) continue;
    sum += value;
    count++;
  }
  return count === 0 ? null : sum / count;
}
