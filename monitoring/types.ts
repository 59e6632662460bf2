/**
 * What the plasticity monitor reports: one `WindowReport` per window (metrics on a probe batch,
 * utility summaries, resets and the reset audit of that window) and one `ResetEvent` per reset.
 * These are plain JSON-able objects: the run log stores them as they are, the Prometheus exporter
 * and the websocket feed read them. Ratios are in 0–1; ranks are counts of directions.
 */
import type { ResetEvent } from './reset/reset-event.ts';

export type { ResetEvent } from './reset/reset-event.ts';

/** Summary of one criterion's per-unit utilities in a layer (bias-corrected running averages). */
export interface UtilitySummary {
  min: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
  mean: number;
}

export interface LayerWindowMetrics {
  network: string;
  layer: string;
  index: number;
  units: number;
  /** Units that are exactly zero on every probe sample (Dohare et al. 2024). */
  deadRatio: number;
  /** ReDo τ-dormant units (Sokar et al. 2023), τ = 0.025 and τ = 0.1. */
  dormantRatio: number;
  dormantRatioTau01: number;
  /** tanh/sigmoid units saturated on > 99% of samples; null for other activations. */
  saturatedRatio: number | null;
  /** Units with an uncentred-cosine (and a Pearson) twin above 0.95 (algorithms.md §3.3). */
  duplicateRatio: number;
  duplicatePearsonRatio: number;
  /** Roy & Vetterli effective rank of the probe activations. */
  effectiveRank: number;
  /** srank, δ = 0.01 (Kumar et al. 2021). */
  srank: number;
  /** Σσ² / σ_max² (the classic stable rank). */
  stableRank: number;
  /** (Σσ²)² / Σσ⁴ of the centred activations (what Joudaki et al. call stable rank). */
  participationRatio: number;
  /** mean |W| of the layer's incoming weights. */
  weightMagnitude: number;
  /** Per criterion, the distribution of the layer's unit utilities at the end of the window. */
  utilities: Record<string, UtilitySummary>;
  /** Resets in this layer during the window. */
  resets: number;
}

export interface NetworkWindowMetrics {
  network: string;
  /** mean |θ| over all parameters. */
  weightMagnitude: number;
  /** ‖θ − θ₀‖ / ‖θ₀‖. */
  drift: number;
  /** Mean over the window's steps of the global gradient and update L2 norms. */
  gradNorm: number;
  updateNorm: number;
  /** Mean training loss over the window's steps. */
  loss: number;
  /** srank of the Gauss-Newton matrix on a small batch (algorithms.md §3.9); null when not computed this window. */
  curvatureSrank: number | null;
  /** Training steps (optimizer updates) of this network in the window. */
  updates: number;
  /** Resets per criterion in the window. */
  resets: Record<string, number>;
}

/** Spearman correlation, per criterion, between predicted and realised reset cost (the reset audit). */
export interface ResetAuditReport {
  network: string;
  /** Units actually reset on a copy of the network. */
  sampledUnits: number;
  /** Realised change of the held-out loss, and of the output (RMS), per criterion. */
  lossCorrelation: Record<string, number>;
  outputCorrelation: Record<string, number>;
}

export interface WindowReport {
  /** 1-based window index. */
  window: number;
  /** Agent step (env steps, or examples for supervised streams) at the end of the window. */
  step: number;
  networks: NetworkWindowMetrics[];
  layers: LayerWindowMetrics[];
  /** Online performance over the window: whatever applies (loss, accuracy, mean episode return). */
  performance: { loss?: number; accuracy?: number; episodeReturn?: number; episodes?: number };
  /** Present on windows where the audit ran. */
  audit: ResetAuditReport[];
  /** Wall time spent computing this report, seconds. */
  durationSeconds: number;
}

export type MonitorEvent = { kind: 'window'; report: WindowReport } | { kind: 'reset'; event: ResetEvent };
