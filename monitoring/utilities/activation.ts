/**
 * Activation-magnitude utility: mean_x |a_i(x)|, un-normalised (algorithms.md §2.3, after
 * `google/dopamine: dopamine/labs/redo/weight_recyclers.py`). The layer-mean normalisation of
 * ReDo is applied by the threshold policy at selection time (or use the `redo` criterion, which
 * normalises every batch); within a layer the ranking is the same either way.
 */
import { statRow } from './unit-utility.ts';
import type { UnitUtility } from './unit-utility.ts';

const ABS_ACTIVATION_ROW = statRow('meanAbsActivation');

export const activationUtility: UnitUtility = {
  name: 'activation',
  summary: 'mean |a|: activation magnitude',
  smoothed: true,
  formula: { rows: ['meanAbsActivation'] },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const base = ABS_ACTIVATION_ROW * n;
    for (let i = 0; i < n; i++) out[i] = stats[base + i];
  },
};
