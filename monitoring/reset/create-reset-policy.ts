/**
 * Builds a reset policy from plain config (the `resetPolicy` block of an agent spec).
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { ReplacementRatePolicy } from './replacement-rate-policy.ts';
import type { ReplacementRatePolicyConfig } from './replacement-rate-policy.ts';
import type { ResetPolicy } from './reset-policy.ts';
import { ThresholdPolicy } from './threshold-policy.ts';
import type { ThresholdPolicyConfig } from './threshold-policy.ts';

export type ResetPolicyConfig =
  | ({ kind: 'replacement-rate' } & Partial<ReplacementRatePolicyConfig>)
  | ({ kind: 'threshold' } & Partial<ThresholdPolicyConfig>);

export function createResetPolicy(config: ResetPolicyConfig): ResetPolicy {
  switch (config.kind) {
    case 'replacement-rate':
      return new ReplacementRatePolicy(config);
    case 'threshold':
      return new ThresholdPolicy(config);
    default:
      throw new PlasticdError(
        'invalid_reset_policy',
        `Unknown reset policy kind '${(config as { kind: string }).kind}'; expected 'replacement-rate' or 'threshold'.`,
      );
  }
}

