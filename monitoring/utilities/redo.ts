/**
 * ReDo τ-dormant score (Sokar et al., ICML 2023, arXiv 2302.12902; `google/dopamine:
 * dopamine/labs/redo/weight_recyclers.py`): s_i = mean_x|a_i| / (mean_k mean_x|a_k| + 1e-9),
 * computed on each training batch. ReDo scores one batch every F steps; the tracker smooths the
 * per-batch scores with its EMA instead (decay 0 reproduces the single-batch score).
 */
import { rowMean, statRow } from './unit-utility.ts';
import type { UnitUtility } from './unit-utility.ts';

const ABS_ACTIVATION_ROW = statRow('meanAbsActivation');
/** The dopamine code's guard against an all-zero layer. */
const LAYER_MEAN_EPSILON = 1e-9;

export const redoUtility: UnitUtility = {
  name: 'redo',
  summary: 'mean|a| / layer mean of mean|a|: ReDo tau-dormant score',
  smoothed: true,
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const base = ABS_ACTIVATION_ROW * n;
    const denominator = rowMean(stats, base, n) + LAYER_MEAN_EPSILON;
    for (let i = 0; i < n; i++) out[i] = stats[base + i] / denominator;
  },
};
