/**
 * Every activation-based plasticity metric of one hidden layer from one probe-batch activation
 * matrix, sharing the work: one pass for the per-unit sums (dead, rarely active, ReDo scores), one
 * unit Gram AᵀA for the duplicate similarities (and for the spectrum when units ≤ samples), and one
 * eigen-decomposition of the smaller Gram for all the rank metrics. Each metric's definition and
 * paper are in its own file; this file only wires them together.
 */
import type { Activation } from '../../src/nn/types.ts';
import type { ActivationMatrix, UnitSelection } from './activation-matrix.ts';
import { assertActivationShape, assertFiniteActivations, columnMajor, columnSums } from './activation-matrix.ts';
import { RARELY_ACTIVE_MAX_FRACTION, deadUnitsFromSums, rarelyActiveUnitsFromSums } from './dead-units.ts';
import { REDO_DEFAULT_THRESHOLD, REDO_HIGH_REPLAY_RATIO_THRESHOLD, dormantScoresFromSums, dormantUnitsFromScores } from './dormant-units.ts';
import type { DuplicateUnits } from './duplicate-units.ts';
import { DUPLICATE_SIMILARITY_THRESHOLD, duplicateUnitsFromGram } from './duplicate-units.ts';
import { effectiveRank } from './effective-rank.ts';
import { centreUnitGram, doubleCentre, sampleGram, unitGram } from './gram-matrix.ts';
import { participationRatio } from './participation-ratio.ts';
import type { SaturationOptions } from './saturated-units.ts';
import { isSaturatingActivation, saturatedUnits } from './saturated-units.ts';
import { singularValuesFromGram } from './singular-values.ts';
import { SRANK_DELTA, approximateRank, srank } from './srank.ts';
import { centredParticipationRatio, classicStableRank } from './stable-rank.ts';

export interface LayerReportOptions {
  /** The layer's activation; saturation is measured for 'tanh' and 'sigmoid' only. */
  activation?: Activation;
  /** ReDo τ values to report (default [0.025, 0.1]). */
  dormantThresholds?: readonly number[];
  /** Duplicate similarity threshold (default 0.95). */
  duplicateThreshold?: number;
  /** srank δ (default 0.01). */
  srankDelta?: number;
  /** Rarely active: > 0 on at most this fraction of samples (default 0.01). */
  rarelyActiveMaxFraction?: number;
  saturation?: SaturationOptions;
}

export interface DormantSelection extends UnitSelection {
  threshold: number;
}

export interface LayerMetricsReport {
  samples: number;
  units: number;
  /** Exactly 0 on every sample (Dohare). */
  dead: UnitSelection;
  /** > 0 on at most 1% of samples (Dohare's PPO dormant rule). */
  rarelyActive: UnitSelection;
  /** ReDo s_i per unit. */
  dormantScores: Float64Array;
  /** One entry per requested ReDo τ: s_i ≤ τ. */
  dormant: DormantSelection[];
  /** null unless the activation is tanh or sigmoid. */
  saturated: UnitSelection | null;
  duplicates: DuplicateUnits;
  /** Of the raw (uncentred) activations, descending, length min(samples, units). */
  singularValues: Float64Array;
  /** Roy & Vetterli, on the raw activations. */
  effectiveRank: number;
  /** Kumar et al. srank_δ on σ. */
  srank: number;
  /** Dohare's approximate rank: the srank rule on σ². */
  approximateRank: number;
  /** Classic stable rank Σσ²/σ_max², raw activations. */
  classicStableRank: number;
  /** Joudaki's "stable rank": participation ratio of the mean-centred activations. */
  joudakiStableRank: number;
  /** Participation ratio (Σσ²)²/Σσ⁴ of the raw activations. */
  participationRatio: number;
}

export function layerReport(matrix: ActivationMatrix, options: LayerReportOptions = {}): LayerMetricsReport {
  assertActivationShape(matrix, 'layerReport');
  const { samples, units } = matrix;
  const columns = columnMajor(matrix);
  const sums = columnSums(matrix, columns);
  if (!sums.sumSquares.every(Number.isFinite)) assertFiniteActivations(matrix, 'layerReport');
  const dormantScores = dormantScoresFromSums(sums, samples);
  const thresholds = options.dormantThresholds ?? [REDO_DEFAULT_THRESHOLD, REDO_HIGH_REPLAY_RATIO_THRESHOLD];
  const dormant = thresholds.map((threshold) => ({ threshold, ...dormantUnitsFromScores(dormantScores, threshold) }));
  const activation = options.activation;
  const saturated = activation && isSaturatingActivation(activation) ? saturatedUnits(matrix, activation, options.saturation) : null;

  const gram = unitGram(matrix, undefined, columns);
  const duplicates = duplicateUnitsFromGram(gram, sums.sum, samples, options.duplicateThreshold ?? DUPLICATE_SIMILARITY_THRESHOLD);
  let joudakiStableRank: number;
  let values: Float64Array;
  if (units <= samples) {
    joudakiStableRank = centredParticipationRatio(gram, centreUnitGram(gram, sums.sum, samples), units);
    values = singularValuesFromGram(gram, units, samples);
  } else {
    const smaller = sampleGram(matrix);
    joudakiStableRank = centredParticipationRatio(smaller, doubleCentre(smaller, samples), samples);
    values = singularValuesFromGram(smaller, samples, units);
  }
  const delta = options.srankDelta ?? SRANK_DELTA;
  return {
    samples,
    units,
    dead: deadUnitsFromSums(sums, samples),
    rarelyActive: rarelyActiveUnitsFromSums(sums, samples, options.rarelyActiveMaxFraction ?? RARELY_ACTIVE_MAX_FRACTION),
    dormantScores,
    dormant,
    saturated,
    duplicates,
    singularValues: values,
    effectiveRank: effectiveRank(values),
    srank: srank(values, delta),
    approximateRank: approximateRank(values, 1 - delta),
    classicStableRank: classicStableRank(values),
    joudakiStableRank,
    participationRatio: participationRatio(values),
  };
}
