/**
 * The plasticity monitor: `Monitor` (monitor.ts) and the pieces it is built from — unit utilities,
 * the unit tracker and reset policies (reset/), window metrics (metrics/), the probe buffer, the
 * curvature probe, the reset audit and the report types. Exporters live in exporters/ and are not
 * re-exported here (the monitor never depends on them).
 */
export { Monitor } from './monitor.ts';
export type { HeldOutBatch, MonitorOptions, MonitorState, UnitsSnapshot, WindowInput } from './monitor.ts';
export { ProbeBuffer } from './probe-buffer.ts';
export type { ProbeBufferState } from './probe-buffer.ts';
export { OUTPUT_GXD, runResetAudit } from './reset-audit.ts';
export type { AuditedUnit, ResetAuditInput, ResetAuditResult } from './reset-audit.ts';
export { curvatureProbe } from './curvature-probe.ts';
export type { CurvatureNetwork } from './curvature-probe.ts';
export { WindowAccumulator, layerWindowMetrics, quantile, summarize } from './window-report.ts';
export type { LayerMetricsInput, WindowAccumulatorState } from './window-report.ts';
export { averageRanks, spearman } from './spearman.ts';
export type * from './types.ts';
export * from './reset/index.ts';
export * from './utilities/index.ts';
export * as metrics from './metrics/index.ts';
export { DEFAULT_MONITOR_CONFIG, monitorConfigSchema, parseMonitorConfig } from '../src/config/monitor-config.ts';
export type { MonitorConfig, MonitorConfigInput } from '../src/config/monitor-config.ts';
