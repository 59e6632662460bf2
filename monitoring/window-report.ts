/**
 * The pieces of a WindowReport (types.ts): per-layer metrics from the probe activations and the
 * weights (metrics/), utility summaries, and the per-network accumulator of the window's training
 * steps (mean loss, gradient and update norms from the StepTraces, resets per layer and criterion).
 * Percentiles interpolate linearly between order statistics (numpy's default).
 */
import type { Activation, StepTrace } from '../src/nn/types.ts';
import { layerReport } from './metrics/layer-report.ts';
import type { LayerWindowMetrics, NetworkWindowMetrics, UtilitySummary } from './types.ts';
import type { ResetEvent } from './reset/reset-event.ts';

/** min / p10 / p50 / p90 / max / mean of `values`; NaN everywhere for an empty sample. */
export function summarize(values: ArrayLike<number>): UtilitySummary {
  const n = values.length;
  if (n === 0) return { min: NaN, p10: NaN, p50: NaN, p90: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    min: sorted[0],
    p10: quantile(sorted, 0.1),
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted[n - 1],
    mean: sum / n,
  };
}

/** Quantile q of ascending `sorted`, linear interpolation between the neighbouring order statistics. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

export interface LayerMetricsInput {
  network: string;
  layer: string;
  index: number;
  units: number;
  activation: Activation;
  /** Post-activations on the probe batch, [samples × units]; null when the probe is empty. */
  activations: Float32Array | null;
  samples: number;
  /** mean |W| of the layer's incoming weight matrix. */
  weightMagnitude: number;
  utilities: Record<string, UtilitySummary>;
  resets: number;
}

/** One hidden layer's window metrics; activation metrics are NaN when there were no probe samples. */
export function layerWindowMetrics(input: LayerMetricsInput): LayerWindowMetrics {
  const base = { network: input.network, layer: input.layer, index: input.index, units: input.units };
  const tail = { weightMagnitude: input.weightMagnitude, utilities: input.utilities, resets: input.resets };
  if (input.activations === null || input.samples === 0) {
    return {
      ...base,
      deadRatio: NaN,
      dormantRatio: NaN,
      dormantRatioTau01: NaN,
      saturatedRatio: input.activation === 'tanh' || input.activation === 'sigmoid' ? NaN : null,
      duplicateRatio: NaN,
      duplicatePearsonRatio: NaN,
      effectiveRank: NaN,
      srank: NaN,
      stableRank: NaN,
      participationRatio: NaN,
      ...tail,
    };
  }
  const report = layerReport(
    { data: input.activations, samples: input.samples, units: input.units },
    { activation: input.activation, dormantThresholds: [0.025, 0.1] },
  );
  return {
    ...base,
    deadRatio: report.dead.fraction,
    dormantRatio: report.dormant[0].fraction,
    dormantRatioTau01: report.dormant[1].fraction,
    saturatedRatio: report.saturated === null ? null : report.saturated.fraction,
    duplicateRatio: report.duplicates.cosine.fraction,
    duplicatePearsonRatio: report.duplicates.pearson.fraction,
    effectiveRank: report.effectiveRank,
    srank: report.srank,
    stableRank: report.classicStableRank,
    participationRatio: report.joudakiStableRank,
    ...tail,
  };
}

/** Plain-data form of a WindowAccumulator. */
export interface WindowAccumulatorState {
  updates: number;
  lossSum: number;
  gradNormSum: number;
  updateNormSum: number;
  layerResets: number[];
  criterionResets: Record<string, number>;
}

/** Sums over one window of one network's training steps and resets. */
export class WindowAccumulator {
  updates = 0;
  lossSum = 0;
  gradNormSum = 0;
  updateNormSum = 0;
  readonly layerResets: number[];
  criterionResets: Record<string, number> = {};

  constructor(hiddenLayers: number) {
    this.layerResets = new Array<number>(hiddenLayers).fill(0);
  }

  addStep(trace: StepTrace): void {
    this.updates++;
    this.lossSum += trace.loss;
    this.gradNormSum += trace.gradNorm;
    this.updateNormSum += trace.updateNorm;
  }

  addResets(events: readonly ResetEvent[]): void {
    for (const event of events) {
      this.layerResets[event.layer] += event.units.length;
      this.criterionResets[event.criterion] = (this.criterionResets[event.criterion] ?? 0) + event.units.length;
    }
  }

  /** The step-derived part of NetworkWindowMetrics; means are NaN in a window without updates. */
  means(): Pick<NetworkWindowMetrics, 'gradNorm' | 'updateNorm' | 'loss' | 'updates' | 'resets'> {
    const n = this.updates;
    return {
      gradNorm: n > 0 ? this.gradNormSum / n : NaN,
      updateNorm: n > 0 ? this.updateNormSum / n : NaN,
      loss: n > 0 ? this.lossSum / n : NaN,
      updates: n,
      resets: { ...this.criterionResets },
    };
  }

  clear(): void {
    this.updates = 0;
    this.lossSum = 0;
    this.gradNormSum = 0;
    this.updateNormSum = 0;
    this.layerResets.fill(0);
    this.criterionResets = {};
  }

  state(): WindowAccumulatorState {
    return {
      updates: this.updates,
      lossSum: this.lossSum,
      gradNormSum: this.gradNormSum,
      updateNormSum: this.updateNormSum,
      layerResets: [...this.layerResets],
      criterionResets: { ...this.criterionResets },
    };
  }

  restore(state: WindowAccumulatorState): void {
    this.updates = state.updates;
    this.lossSum = state.lossSum;
    this.gradNormSum = state.gradNormSum;
    this.updateNormSum = state.updateNormSum;
    this.layerResets.fill(0);
    state.layerResets.forEach((count, l) => (this.layerResets[l] = count));
    this.criterionResets = { ...state.criterionResets };
  }
}
