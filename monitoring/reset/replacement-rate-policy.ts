/**
 * CBP's replacement rule (Dohare et al. 2024; `shibhansh/loss-of-plasticity: lop/algos/gnt.py`,
 * algorithms.md §2.2.3–2.2.4): eligible units are those with age > m; each step ρ·|eligible| is
 * added to a per-layer accumulator (only when some unit is eligible), floor(acc) of the eligible
 * units with the lowest bias-corrected utility are replaced, and that many are subtracted.
 * `accumulate: false` is gnt.py's other mode (a Bernoulli draw below 1, truncation above).
 * Deviation: the floor allows 1e-9 of rounding slack so that e.g. ten additions of 0.3 make 3.
 */
import type { Rng } from '../../src/util/rng.ts';
import type { LayerState } from './layer-state.ts';
import { checkNonNegative, compareByScore } from './reset-policy.ts';
import type { ResetChoice, ResetPolicy } from './reset-policy.ts';

export interface ReplacementRatePolicyConfig {
  /** ρ: expected replacements per eligible unit per update. Default 1e-4. */
  replacementRate: number;
  /** m: units with age ≤ m are protected. Default 100. */
  maturityThreshold: number;
  /** Carry fractional counts between steps (true, default) or draw them (gnt.py's accumulate = False). */
  accumulate: boolean;
}

export const DEFAULT_REPLACEMENT_RATE_POLICY: Readonly<ReplacementRatePolicyConfig> = Object.freeze({
  replacementRate: 1e-4,
  maturityThreshold: 100,
  accumulate: true,
});

const ROUNDING_SLACK = 1e-9;

export class ReplacementRatePolicy implements ResetPolicy {
  readonly kind = 'replacement-rate' as const;
  readonly replacementRate: number;
  readonly maturityThreshold: number;
  readonly accumulate: boolean;

  constructor(config: Partial<ReplacementRatePolicyConfig> = {}) {
    const full = { ...DEFAULT_REPLACEMENT_RATE_POLICY, ...config };
    this.replacementRate = checkNonNegative(full.replacementRate, 'replacementRate');
    this.maturityThreshold = checkNonNegative(full.maturityThreshold, 'maturityThreshold');
    this.accumulate = full.accumulate;
  }

  choose(layer: LayerState, slot: number, _step: number, rng: Rng): ResetChoice | null {
    let eligible = 0;
    for (let i = 0; i < layer.units; i++) if (layer.ages[i] > this.maturityThreshold) eligible++;
    if (eligible === 0) return null;
    const expected = this.replacementRate * eligible;
    let count: number;
    if (this.accumulate) {
      layer.replacementAccumulator += expected;
      count = Math.floor(layer.replacementAccumulator + ROUNDING_SLACK);
      layer.replacementAccumulator -= count;
    } else if (expected < 1) {
      count = rng.random() < expected ? 1 : 0;
    } else {
      count = Math.floor(expected);
    }
    if (count <= 0) return null;
    count = Math.min(count, eligible);

    const scores = layer.corrected(slot);
    const candidates: number[] = [];
    for (let i = 0; i < layer.units; i++) if (layer.ages[i] > this.maturityThreshold) candidates.push(i);
    candidates.sort(compareByScore(scores));
    const units = candidates.slice(0, count);
    return { units, scores: units.map((i) => scores[i]) };
  }
}
