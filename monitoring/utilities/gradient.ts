/**
 * Gradient-magnitude utility: mean_x |∂ℓ/∂a_i(x)| (GraMa-like; Liu et al., arXiv 2505.24061;
 * algorithms.md §2.5, whose exact definition is our reconstruction). Un-normalised here; the
 * threshold policy divides by the layer mean, which gives the GraMa score and ReGraMa's rule.
 */
import { statRow } from './unit-utility.ts';
import type { UnitUtility } from './unit-utility.ts';

const ABS_GRADIENT_ROW = statRow('meanAbsGradient');

export const gradientUtility: UnitUtility = {
  name: 'gradient',
  summary: 'mean |dloss/da|: gradient magnitude (GraMa-like)',
  smoothed: true,
  formula: { rows: ['meanAbsGradient'] },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const base = ABS_GRADIENT_ROW * n;
    for (let i = 0; i < n; i++) out[i] = stats[base + i];
  },
};
