/**
 * ReDo's recycling rule (Sokar et al., ICML 2023, arXiv 2302.12902; `google/dopamine:
 * dopamine/labs/redo/weight_recyclers.py`, algorithms.md §2.4 and §2.1 step 3): every F updates,
 * reset every eligible unit whose utility divided by the layer mean is ≤ τ. Works with any
 * criterion (with `activation` or `redo` it is ReDo, with `gradient` ReGraMa-like).
 * Deviations: a maturity threshold protects fresh units (ReDo has none; GXD needs one, since a
 * fresh unit scores 0), and an all-zero layer counts as all dormant without ReDo's 1e-9 offset, so
 * the rule is scale-free for tiny utilities such as GXD.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { Rng } from '../../src/util/rng.ts';
import type { LayerState } from './layer-state.ts';
import { checkNonNegative, compareByScore } from './reset-policy.ts';
import type { ResetChoice, ResetPolicy } from './reset-policy.ts';

export interface ThresholdPolicyConfig {
  /** τ: normalised scores at or below it are reset. Default 0.025 (ReDo, default DQN setting). */
  threshold: number;
  /** F: check every this many updates (when StepTrace.step is a multiple). Default 1000. */
  every: number;
  /** m: units with age ≤ m are protected. Default 100. */
  maturityThreshold: number;
}

export const DEFAULT_THRESHOLD_POLICY: Readonly<ThresholdPolicyConfig> = Object.freeze({
  threshold: 0.025,
  every: 1000,
  maturityThreshold: 100,
});

export class ThresholdPolicy implements ResetPolicy {
  readonly kind = 'threshold' as const;
  readonly threshold: number;
  readonly every: number;
  readonly maturityThreshold: number;

  constructor(config: Partial<ThresholdPolicyConfig> = {}) {
    const full = { ...DEFAULT_THRESHOLD_POLICY, ...config };
    this.threshold = checkNonNegative(full.threshold, 'threshold');
    if (!Number.isInteger(full.every) || full.every < 1) {
      throw new PlasticdError('invalid_reset_policy', `Reset policy 'every' must be a whole number of updates ≥ 1; got ${full.every}.`);
    }
    this.every = full.every;
    this.maturityThreshold = checkNonNegative(full.maturityThreshold, 'maturityThreshold');
  }

  choose(layer: LayerState, slot: number, step: number, _rng: Rng): ResetChoice | null {
    if (step % this.every !== 0) return null;
    const scores = layer.corrected(slot);
    let sum = 0;
    for (let i = 0; i < layer.units; i++) sum += scores[i];
    const mean = sum / layer.units;
    for (let i = 0; i < layer.units; i++) scores[i] = mean > 0 ? scores[i] / mean : 0;
    const units: number[] = [];
    for (let i = 0; i < layer.units; i++) {
      if (layer.ages[i] > this.maturityThreshold && scores[i] <= this.threshold) units.push(i);
    }
    if (units.length === 0) return null;
    units.sort(compareByScore(scores));
    return { units, scores: units.map((i) => scores[i]) };
  }
}
