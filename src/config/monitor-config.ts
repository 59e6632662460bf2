/**
 * The `monitor` block of an agent spec: how the plasticity monitor tracks unit utilities, resets
 * units, measures window metrics, the Gauss–Newton curvature and the reset audit (algorithms.md §2–3).
 * Every key has a default, so `{}` is a complete config; `parseMonitorConfig` fills them in and
 * rejects unknown keys (a typo such as `replacmentRate` is an error, not silently ignored).
 */
import { z } from 'zod';
import { CRITERIA } from '../../monitoring/utilities/unit-utility.ts';
import type { CriterionName } from '../../monitoring/utilities/unit-utility.ts';
import { PlasticdError } from '../util/errors.ts';

const criterionSchema = z.enum(CRITERIA as unknown as [CriterionName, ...CriterionName[]]);

export const resetPolicyConfigSchema = z.strictObject({
  /** 'replacement-rate' (CBP: ρ·|eligible| units per update, fractional counts carried over),
   * 'threshold' (ReDo: every `every` updates, units whose Û / layer-mean Û ≤ `threshold`), or 'none'. */
  kind: z.enum(['replacement-rate', 'threshold', 'none']).default('replacement-rate'),
  /** The criterion units are ranked by (lower = cheaper to replace). */
  criterion: criterionSchema.default('gxd'),
  /** ρ, expected replacements per eligible unit per update (replacement-rate). */
  replacementRate: z.number().min(0).max(1).default(1e-4),
  /** m: units with age ≤ m updates are never reset (a fresh unit's GXD is exactly 0). */
  maturityThreshold: z.number().min(0).default(100),
  /** τ of the threshold rule, on Û divided by the layer mean. */
  threshold: z.number().min(0).default(0.025),
  /** The threshold rule checks every this many updates of the network. */
  every: z.int().min(1).default(1000),
  /** Replacement-rate: carry fractional counts (true, CBP default) or draw them (gnt.py accumulate = False). */
  accumulate: z.boolean().default(true),
});

export const auditConfigSchema = z.strictObject({
  /** Run the reset audit on every this-many-th window. */
  everyWindows: z.int().min(1).default(10),
  /** Units actually reset (one at a time, on a copy) per audit, sampled across hidden layers. */
  units: z.int().min(2).max(4096).default(32),
});

export const curvatureConfigSchema = z.strictObject({
  /** Compute the Gauss–Newton srank on every this-many-th window. */
  everyWindows: z.int().min(1).default(1),
  /** Probe samples in the Jacobian (one row per sample and output; one backward pass per row). */
  samples: z.int().min(1).max(256).default(8),
});

export const monitorConfigSchema = z.strictObject({
  /** Agent steps (env steps, or examples for supervised streams) per window; the run loop calls `onWindow` at each multiple. */
  windowLength: z.int().min(1).default(1000),
  /** Recent inputs kept per network for the window metrics, GXD-F and the audit's output change. */
  probeSize: z.int().min(1).max(65_536).default(512),
  /** η, the decay of every running average (utilities and the running mean activation ā). */
  decay: z.number().min(0).lt(1).default(0.99),
  /** GXD reference r: the running mean ā (with bias transfer on reset, the default) or 0 (no transfer). */
  reference: z.enum(['running-mean', 'zero']).default('running-mean'),
  /**
   * Criteria whose utilities are tracked every update (reported per window, compared by the audit).
   * The selection criterion is always added. Default: the four of algorithms.md §2.0 — tracking one
   * costs a few operations per unit per update (bench/monitor.bench.ts).
   */
  criteria: z.array(criterionSchema).default(['gxd', 'contribution', 'activation', 'gradient']),
  resetPolicy: resetPolicyConfigSchema.default(resetPolicyConfigSchema.parse({})),
  /** The reset audit (algorithms.md §2.1, "Validation test for the service"); null turns it off. */
  audit: auditConfigSchema.nullable().default(auditConfigSchema.parse({})),
  /** Gauss–Newton curvature srank (algorithms.md §3.9); null turns it off. */
  curvature: curvatureConfigSchema.nullable().default(curvatureConfigSchema.parse({})),
  /** Compute GXD-F (random output direction, RMS aggregate) on the probe batch every window. */
  outputGxd: z.boolean().default(true),
});

export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;
export type ResetPolicyConfigBlock = MonitorConfig['resetPolicy'];
export type AuditConfig = z.infer<typeof auditConfigSchema>;
export type CurvatureConfig = z.infer<typeof curvatureConfigSchema>;

export const DEFAULT_MONITOR_CONFIG: Readonly<MonitorConfig> = Object.freeze(monitorConfigSchema.parse({}));

/** Fills in defaults; throws PlasticdError('invalid_monitor_config') naming every bad key. */
export function parseMonitorConfig(input: unknown = {}): MonitorConfig {
  const result = monitorConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new PlasticdError('invalid_monitor_config', `Invalid monitor config: ${problems}.`, { issues: result.error.issues });
  }
  return result.data;
}
