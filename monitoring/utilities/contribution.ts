/**
 * CBP contribution utilities (Dohare et al. 2024; `shibhansh/loss-of-plasticity: lop/algos/gnt.py`,
 * util_type contribution / zero_contribution / adaptable_contribution). Like the code, not the
 * paper, we use the mean (not the sum) of |outgoing weights|; the ranking within a layer is the same.
 * Deviation: gnt.py centres a on an â that already includes the current batch; our trace centres on
 * the reference handed to the step (ā after the previous step), because the per-sample activations
 * are not kept. With `reference: 'zero'` the centred variants therefore use |a| itself.
 */
import { statRow } from './unit-utility.ts';
import type { UnitUtility } from './unit-utility.ts';

const ABS_ACTIVATION_ROW = statRow('meanAbsActivation');
const ABS_DIFFERENCE_ROW = statRow('meanAbsDifference');
const OUTGOING_ROW = statRow('meanAbsOutgoingWeight');
const INCOMING_ROW = statRow('meanAbsIncomingWeight');

/** Guards the division by mean|W_in| against an all-zero incoming row (a non-finite score would poison the EMA). */
const MIN_INCOMING = 1e-12;

export const contributionUtility: UnitUtility = {
  name: 'contribution',
  summary: 'mean|a| · mean|W_out| (CBP contribution utility)',
  smoothed: true,
  formula: { rows: ['meanAbsActivation', 'meanAbsOutgoingWeight'] },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const activation = ABS_ACTIVATION_ROW * n;
    const outgoing = OUTGOING_ROW * n;
    for (let i = 0; i < n; i++) out[i] = stats[activation + i] * stats[outgoing + i];
  },
};

export const zeroContributionUtility: UnitUtility = {
  name: 'zero-contribution',
  summary: 'mean|a − r| · mean|W_out| (CBP zero_contribution utility)',
  smoothed: true,
  formula: { rows: ['meanAbsDifference', 'meanAbsOutgoingWeight'] },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const difference = ABS_DIFFERENCE_ROW * n;
    const outgoing = OUTGOING_ROW * n;
    for (let i = 0; i < n; i++) out[i] = stats[difference + i] * stats[outgoing + i];
  },
};

export const adaptableContributionUtility: UnitUtility = {
  name: 'adaptable-contribution',
  summary: 'mean|W_out| · mean|a − r| / mean|W_in| (CBP adaptable_contribution utility)',
  smoothed: true,
  formula: { rows: ['meanAbsOutgoingWeight', 'meanAbsDifference'], divideBy: 'meanAbsIncomingWeight' },
  score(layer, out) {
    const n = layer.units;
    const stats = layer.stats;
    const difference = ABS_DIFFERENCE_ROW * n;
    const outgoing = OUTGOING_ROW * n;
    const incoming = INCOMING_ROW * n;
    for (let i = 0; i < n; i++) {
      out[i] = (stats[outgoing + i] * stats[difference + i]) / Math.max(stats[incoming + i], MIN_INCOMING);
    }
  },
};
