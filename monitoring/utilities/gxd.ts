/**
 * GXD-L utility: mean_x |∂ℓ/∂a_i(x) · (a_i(x) − r_i)|, the first-order cost of replacing unit i
 * (Elisii, Beauchemin, Jamshed, arXiv 2605.06834; our reconstruction in algorithms.md §2.1).
 * The network computes it inside the training pass (trace row `gxd`) with the reference the
 * tracker handed to that step; this utility only reads it.
 */
import { statRow } from './unit-utility.ts';
import type { UnitUtility } from './unit-utility.ts';

const GXD_ROW = statRow('gxd');

export const gxdUtility: UnitUtility = {
  name: 'gxd',
  summary: 'mean |dloss/da · (a − r)|: first-order loss cost of replacing the unit (GXD-L)',
  smoothed: true,
  formula: { rows: ['gxd'] },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const base = GXD_ROW * n;
    for (let i = 0; i < n; i++) out[i] = stats[base + i];
  },
};
