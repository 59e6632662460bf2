/**
 * Random utility, the control criterion of CBP (`lop/algos/gnt.py`, util_type `random`): a fresh
 * uniform draw per unit per step from the tracker's seeded Rng, not smoothed, so selection is
 * uniformly random among eligible units.
 */
import type { UnitUtility } from './unit-utility.ts';

export const randomUtility: UnitUtility = {
  name: 'random',
  summary: 'uniform random score (control)',
  smoothed: false,
  score(layer, out, rng) {
    const n = layer.units;
    for (let i = 0; i < n; i++) out[i] = rng.random();
  },
};
