/**
 * The contract every per-unit utility (reset criterion) implements, and the names they go by.
 * A utility turns one hidden layer's StepTrace statistics into one score per unit for this step;
 * lower means "cheaper to replace" (algorithms.md §2.0). The tracker smooths the scores with a
 * bias-corrected EMA (running-average.ts). Utilities read the trace's stats array by row offset
 * rather than through `row()` so that scoring allocates nothing.
 */
import { TRACE_STATS } from '../../src/nn/types.ts';
import type { LayerTrace, TraceStat } from '../../src/nn/types.ts';
import type { Rng } from '../../src/util/rng.ts';

export const CRITERIA = [
  'gxd',
  'contribution',
  'zero-contribution',
  'adaptable-contribution',
  'activation',
  'gradient',
  'redo',
  'random',
] as const;

export type CriterionName = (typeof CRITERIA)[number];

export interface UnitUtility {
  readonly name: CriterionName;
  /** One line for logs and the API: what the score is. */
  readonly summary: string;
  /**
   * true: the tracker keeps a bias-corrected EMA of the per-step scores; false: the running value
   * is simply the latest score (the random criterion, as in CBP's `random` util_type).
   */
  readonly smoothed: boolean;
  /** Writes this step's score of every unit of `layer` into `out` (length = layer.units). Must not allocate. */
  score(layer: LayerTrace, out: Float64Array, rng: Rng): void;
  /**
   * The same score as a formula of trace rows, when it is one: Π rows / max(divideBy, 1e-12). The
   * tracker's native kernel (native/tracker-kernels.c) evaluates it instead of `score`, with the same
   * result bit for bit. Absent for scores that are not (redo's layer mean, random).
   */
  readonly formula?: { readonly rows: readonly [TraceStat] | readonly [TraceStat, TraceStat]; readonly divideBy?: TraceStat };
}

/** Row index of a statistic in `LayerTrace.stats` (row r holds units r·n … r·n+n−1). */
export function statRow(stat: TraceStat): number {
  return TRACE_STATS.indexOf(stat);
}

/** Mean of `count` values of `values` starting at `offset`. */
export function rowMean(values: Float32Array, offset: number, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[offset + i];
  return count > 0 ? sum / count : 0;
}
