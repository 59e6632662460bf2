/**
 * The unit tracker, reset policies and reset application (the per-step half of the monitor).
 */
export { UnitTracker, DEFAULT_UNIT_TRACKER_CONFIG } from './unit-tracker.ts';
export type { UnitTrackerConfig, UnitTrackerOptions, UnitTrackerState } from './unit-tracker.ts';
export { LayerState } from './layer-state.ts';
export type { LayerStateData, ReferenceMode } from './layer-state.ts';
export type { ResetEvent, ResetPolicyKind } from './reset-event.ts';
export type { ResetChoice, ResetPolicy } from './reset-policy.ts';
export { ReplacementRatePolicy, DEFAULT_REPLACEMENT_RATE_POLICY } from './replacement-rate-policy.ts';
export type { ReplacementRatePolicyConfig } from './replacement-rate-policy.ts';
export { ThresholdPolicy, DEFAULT_THRESHOLD_POLICY } from './threshold-policy.ts';
export type { ThresholdPolicyConfig } from './threshold-policy.ts';
export { createResetPolicy } from './create-reset-policy.ts';
export type { ResetPolicyConfig } from './create-reset-policy.ts';
export { applyResets } from './apply-resets.ts';
export type { ResettableNetwork } from './apply-resets.ts';
