/**
 * Turns run series into the rows the charts draw: per method mean ± standard error over seeds,
 * downsampled by bucket averaging so a line never has more than a few hundred points, episode
 * returns binned by step, and shift markers thinned to a readable number. Pure and deterministic:
 * methods keep their first-appearance order, runs within a method are taken in seed order.
 */
import { aggregate, meanAndStandardError } from '../series.ts';
import type { RunSeries } from '../series.ts';

/** One point of a method's curve in one panel (panel '' for single-panel charts). */
export interface CurveRow {
  panel: string;
  method: string;
  step: number;
  mean: number;
  lower: number;
  upper: number;
}

export interface MethodGroup {
  method: string;
  /** Sorted by seed, then runId. */
  runs: RunSeries[];
}

/** Methods in first-appearance order, each with its runs in seed order. */
export function groupByMethod(runs: RunSeries[]): MethodGroup[] {
  const groups: MethodGroup[] = [];
  for (const run of runs) {
    let group = groups.find((g) => g.method === run.method);
    if (!group) {
      group = { method: run.method, runs: [] };
      groups.push(group);
    }
    group.runs.push(run);
  }
  for (const group of groups) {
    group.runs.sort((a, b) => a.seed - b.seed || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  }
  return groups;
}

/**
 * Averages consecutive points in equal-count buckets so at most `maxPoints` remain (the mean, the
 * band edges and the step of each bucket are averaged). Keeps the input when it is short enough.
 */
export function downsample(points: Array<{ step: number; mean: number; standardError: number }>, maxPoints: number): Array<{ step: number; mean: number; standardError: number }> {
  if (points.length <= maxPoints) return points;
  const out: Array<{ step: number; mean: number; standardError: number }> = [];
  for (let b = 0; b < maxPoints; b++) {
    const start = Math.floor((b * points.length) / maxPoints);
    const end = Math.floor(((b + 1) * points.length) / maxPoints);
    let step = 0;
    let mean = 0;
    let standardError = 0;
    for (let i = start; i < end; i++) {
      step += points[i].step;
      mean += points[i].mean;
      standardError += points[i].standardError;
    }
    const count = end - start;
    out.push({ step: step / count, mean: mean / count, standardError: standardError / count });
  }
  return out;
}

/** Rows of every method's mean ± standard error of `key`, at most `maxPoints` per method. */
export function curveRows(groups: MethodGroup[], key: string, panel: string, maxPoints: number, logScale: boolean): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const group of groups) {
    const agg = aggregate(group.runs, key);
    const points = agg.step.map((step, i) => ({ step, mean: agg.mean[i], standardError: agg.standardError[i] }));
    for (const p of downsample(points, maxPoints)) rows.push(toRow(panel, group.method, p.step, p.mean, p.standardError, logScale));
  }
  return rows;
}

function toRow(panel: string, method: string, step: number, mean: number, standardError: number, logScale: boolean): CurveRow {
  let lower = mean - standardError;
  // A log axis cannot show a band reaching zero or below; collapse the band to the line there.
  if (logScale && lower <= 0) lower = mean;
  return { panel, method, step, mean, lower, upper: mean + standardError };
}

/**
 * Episode returns binned by the step the episode ended at: each run's mean return per bin, then
 * per method the mean ± standard error of those over runs. Bins cover (0, last episode step].
 */
export function episodeRows(groups: MethodGroup[], bins: number): CurveRow[] {
  let lastStep = 0;
  for (const group of groups) for (const run of group.runs) for (const e of run.episodes) lastStep = Math.max(lastStep, e.step);
  if (lastStep <= 0) return [];
  const width = lastStep / bins;
  const rows: CurveRow[] = [];
  const sums = new Float64Array(bins);
  const counts = new Int32Array(bins);
  for (const group of groups) {
    const perBin: number[][] = Array.from({ length: bins }, () => []);
    for (const run of group.runs) {
      sums.fill(0);
      counts.fill(0);
      for (const e of run.episodes) {
        const bin = Math.min(bins - 1, Math.max(0, Math.ceil(e.step / width) - 1));
        sums[bin] += e.return;
        counts[bin]++;
      }
      for (let b = 0; b < bins; b++) if (counts[b] > 0) perBin[b].push(sums[b] / counts[b]);
    }
    for (let b = 0; b < bins; b++) {
      if (perBin[b].length === 0) continue;
      const { mean, standardError } = meanAndStandardError(perBin[b]);
      rows.push(toRow('', group.method, (b + 1) * width, mean, standardError, false));
    }
  }
  return rows;
}

/**
 * Every shift step of any run, sorted and de-duplicated, then thinned to at most `maxMarkers` evenly spaced ones.
 * Shifts taken at an episode end (Slippery Ant: the first episode end after N steps) land a few steps apart in
 * every run; when there are too many markers, those within 0.25% of the run length of a cluster's first step
 * are one shift, drawn at that first step, before any thinning.
 */
export function shiftMarkers(runs: RunSeries[], maxMarkers: number): { steps: number[]; total: number; every: number } {
  let all = [...new Set(runs.flatMap((r) => r.shifts))].sort((a, b) => a - b);
  if (all.length > maxMarkers) all = clusterSteps(all, SHIFT_CLUSTER_FRACTION * all[all.length - 1]!);
  if (all.length <= maxMarkers) return { steps: all, total: all.length, every: 1 };
  const every = Math.ceil(all.length / maxMarkers);
  return { steps: all.filter((_, i) => i % every === every - 1), total: all.length, every };
}

const SHIFT_CLUSTER_FRACTION = 0.0025;

/** The first step of each run of sorted steps that lie within `tolerance` of that first one. */
function clusterSteps(sorted: number[], tolerance: number): number[] {
  const firsts: number[] = [];
  for (const step of sorted) if (firsts.length === 0 || step - firsts[firsts.length - 1]! > tolerance) firsts.push(step);
  return firsts;
}

/** "3 seeds" or "2–5 seeds", from the runs per method. */
export function seedCountText(groups: MethodGroup[]): string {
  const counts = groups.map((g) => g.runs.length);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
  return `${range} seed${hi === 1 ? '' : 's'}`;
}
