/**
 * The contract of a reset rule and the helpers the rules share. A policy looks at one hidden
 * layer's tracker state after the step's update and returns the units to reset now, or null.
 * Two rules exist: CBP's replacement rate (replacement-rate-policy.ts) and ReDo's threshold
 * (threshold-policy.ts); create-reset-policy.ts builds one from config.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import type { Rng } from '../../src/util/rng.ts';
import type { LayerState } from './layer-state.ts';
import type { ResetPolicyKind } from './reset-event.ts';

export interface ResetChoice {
  /** Chosen units, ascending score, ties to the lower index. */
  units: number[];
  /** The compared value of each chosen unit. */
  scores: number[];
}

export interface ResetPolicy {
  readonly kind: ResetPolicyKind;
  /** Units with age ≤ maturityThreshold are never chosen. */
  readonly maturityThreshold: number;
  /**
   * Units of `layer` to reset at `step`, ranked by criterion slot `slot`, or null for none.
   * May advance the layer's replacement accumulator; allocates only when it chooses something.
   */
  choose(layer: LayerState, slot: number, step: number, rng: Rng): ResetChoice | null;
}

/** Orders unit indices by ascending score, NaN last, ties to the lower index. */
export function compareByScore(scores: Float64Array): (a: number, b: number) => number {
  return (a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    const aNaN = Number.isNaN(sa);
    const bNaN = Number.isNaN(sb);
    if (aNaN !== bNaN) return aNaN ? 1 : -1;
    if (!aNaN && sa !== sb) return sa < sb ? -1 : 1;
    return a - b;
  };
}

export function checkNonNegative(value: number, key: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new PlasticdError('invalid_reset_policy', `Reset policy '${key}' must be a finite number ≥ 0; got ${value}.`);
  }
  return value;
}
