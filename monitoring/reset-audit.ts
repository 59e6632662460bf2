/**
 * The reset audit (algorithms.md §2.1, "Validation test for the service"): on a copy of a network,
 * restored between units, actually reset a seeded sample of hidden units one at a time, measure the realised cost — |ΔL| of
 * the held-out batch-mean loss when the caller has one, and the RMS change of the output — and
 * report per criterion the Spearman correlation between the criterion's predicted cost and the
 * realised one. Predictions: the tracker's bias-corrected utility of every tracked criterion,
 * GXD-F on the audit batch, and a seeded random score as the floor. The copy is always disposed.
 * The realised loss change is a magnitude because every criterion (GXD included) is one.
 */
import type { Network, OutputLoss } from '../src/nn/types.ts';
import type { Rng } from '../src/util/rng.ts';
import { PlasticdError } from '../src/util/errors.ts';
import type { UnitTracker } from './reset/unit-tracker.ts';
import { spearman } from './spearman.ts';
import type { ResetAuditReport } from './types.ts';

/** Name under which GXD-F (output-direction GXD on the audit batch) is reported. */
export const OUTPUT_GXD = 'gxd-f';

export interface ResetAuditInput {
  network: Network;
  tracker: UnitTracker;
  /** Row-major [batchSize × inputSize]: the held-out batch, or the probe batch when there is none. */
  input: Float32Array;
  batchSize: number;
  /** The held-out loss on `input`; without it only the output change is audited. */
  loss?: OutputLoss;
  /** Units to reset (sampled without replacement across all hidden layers). */
  units: number;
  /** Draws the sample (and the random criterion's scores when it is not tracked). */
  rng: Rng;
  /** Also predict with GXD-F (one extra backward pass on the audit batch). */
  outputGxd: boolean;
  /**
   * A copy of `network` in its current state to work on (the monitor keeps one per network); the
   * audit leaves it in an unspecified state and does not dispose it. Default: a clone, disposed.
   */
  scratch?: Network;
}

/** One audited unit: where it was, what each criterion predicted, what the reset really cost. */
export interface AuditedUnit {
  layer: number;
  unit: number;
  predicted: Record<string, number>;
  /** L_after − L_before on the audit batch; null without a loss. */
  lossChange: number | null;
  /** sqrt(mean over samples and outputs of (f_after − f_before)²). */
  outputChange: number;
}

export interface ResetAuditResult {
  report: ResetAuditReport;
  units: AuditedUnit[];
  /** The audit batch's loss before any reset (null without a loss). */
  baselineLoss: number | null;
}

export function runResetAudit(input: ResetAuditInput): ResetAuditResult {
  const { network, tracker, batchSize, rng } = input;
  if (!Number.isInteger(batchSize) || batchSize < 1 || input.input.length !== batchSize * network.spec.inputSize) {
    throw new PlasticdError(
      'invalid_audit_batch',
      `The reset audit of '${network.name}' needs ${batchSize} rows of ${network.spec.inputSize} inputs; got ${input.input.length} values.`,
    );
  }
  const layers = network.hiddenLayers;
  const total = layers.reduce((sum, layer) => sum + layer.units, 0);
  const count = Math.min(input.units, total);
  const picks = rng.permutation(total).slice(0, count);
  const located = Array.from(picks, (flat) => locate(layers, flat));

  // Everything runs on copies, so the audit never touches the live network's parameters or RNG.
  const base = input.scratch ?? network.clone();
  let units: AuditedUnit[];
  let baselineLoss: number | null = null;
  try {
    const before = base.predict(input.input, batchSize);
    // The loss is read off the predicted output (one forward pass per measurement, not two).
    const gradient = new Float32Array(before.length);
    const lossOf = (output: Float32Array): number | null => {
      if (!input.loss) return null;
      gradient.fill(0);
      return input.loss(output, batchSize, gradient);
    };
    baselineLoss = lossOf(before);
    const predictions = predictedCosts(input, base, located);
    const transfer = tracker.config.reference === 'running-mean';
    const means = transfer ? layers.map((_, l) => tracker.meanActivations(l)) : [];
    // Each unit is reset on a second copy, re-synchronised from the untouched one before every unit
    // (copyFrom reuses its arrays: no allocation per unit).
    const copy = base.clone();
    try {
      units = located.map(({ layer, unit }, k) => {
        if (k > 0) copy.copyFrom(base);
        copy.reinitializeUnits(layer, [unit], transfer ? { outgoing: 'zero', biasTransfer: [means[layer][unit]] } : { outgoing: 'zero' });
        const after = copy.predict(input.input, batchSize);
        const loss = lossOf(after);
        const lossChange = loss !== null && baselineLoss !== null ? loss - baselineLoss : null;
        return { layer, unit, predicted: predictions[k], lossChange, outputChange: rmsDifference(after, before) };
      });
    } finally {
      copy.dispose();
    }
  } finally {
    if (!input.scratch) base.dispose();
  }

  const criteria = units.length > 0 ? Object.keys(units[0].predicted) : [];
  const lossCorrelation: Record<string, number> = {};
  const outputCorrelation: Record<string, number> = {};
  for (const criterion of criteria) {
    const predicted = units.map((u) => u.predicted[criterion]);
    outputCorrelation[criterion] = spearman(predicted, units.map((u) => u.outputChange));
    if (input.loss) lossCorrelation[criterion] = spearman(predicted, units.map((u) => Math.abs(u.lossChange ?? 0)));
  }
  return {
    report: { network: network.name, sampledUnits: units.length, lossCorrelation, outputCorrelation },
    units,
    baselineLoss,
  };
}

/** Per audited unit, the predicted cost of every criterion. */
function predictedCosts(input: ResetAuditInput, base: Network, located: ReadonlyArray<{ layer: number; unit: number }>): Record<string, number>[] {
  const { tracker } = input;
  const criteria = tracker.config.criteria;
  const perLayer = tracker.layers.map((_, l) => criteria.map((criterion) => tracker.utilities(l, criterion)));
  const outputGxd = input.outputGxd ? base.outputGxd(input.input, input.batchSize, tracker.references()) : null;
  return located.map(({ layer, unit }) => {
    const predicted: Record<string, number> = {};
    criteria.forEach((criterion, c) => (predicted[criterion] = perLayer[layer][c][unit]));
    if (outputGxd) predicted[OUTPUT_GXD] = outputGxd[layer][unit];
    if (!criteria.includes('random')) predicted.random = input.rng.random();
    return predicted;
  });
}

function locate(layers: Network['hiddenLayers'], flat: number): { layer: number; unit: number } {
  let rest = flat;
  for (let l = 0; l < layers.length; l++) {
    if (rest < layers[l].units) return { layer: l, unit: rest };
    rest -= layers[l].units;
  }
  throw new PlasticdError('invalid_audit_sample', `Unit ${flat} is beyond the network's hidden units.`);
}

function rmsDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) {
    const d = a[k] - b[k];
    sum += d * d;
  }
  return a.length > 0 ? Math.sqrt(sum / a.length) : 0;
}
