/**
 * Everything the unit tracker keeps for one hidden layer, in preallocated Float64Arrays: unit ages
 * and η^age, the running mean activation ā (the GXD reference and the bias-transfer value), one
 * running utility per tracked criterion, the last step's raw scores, and CBP's fractional
 * replacement accumulator (algorithms.md §2.2.3–2.2.4). `update` is the per-step hot path and
 * allocates nothing.
 */
import type { LayerTrace } from '../../src/nn/types.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { Rng } from '../../src/util/rng.ts';
import { accumulate, advanceAges, biasCorrected, biasCorrectInto } from '../utilities/running-average.ts';
import { statRow } from '../utilities/unit-utility.ts';
import type { CriterionName, UnitUtility } from '../utilities/unit-utility.ts';
import { decodeFloat64, encodeFloat64 } from './state-codec.ts';

export type ReferenceMode = 'running-mean' | 'zero';

const MEAN_ACTIVATION_ROW = statRow('meanActivation');

/** Plain-data form of a LayerState; Float64Array fields are encoded as described in state-codec.ts. */
export interface LayerStateData {
  index: number;
  name: string;
  units: number;
  ages: string;
  decayPowers: string;
  meanActivation: string;
  utilities: Partial<Record<CriterionName, string>>;
  replacementAccumulator: number;
}

export class LayerState {
  /** Updates since each unit was last (re)initialised. */
  readonly ages: Float64Array;
  /** η^age per unit, kept as a running product. */
  readonly decayPowers: Float64Array;
  /** Raw (not bias-corrected) EMA of the batch-mean activation. */
  readonly meanActivation: Float64Array;
  /** The reference r for the next training step: bias-corrected ā, or zeros. */
  readonly reference: Float32Array;
  /** Raw EMA (or latest value, for unsmoothed criteria) per criterion slot. */
  readonly utilities: Float64Array[];
  /** This step's raw score per criterion slot. */
  readonly stepScores: Float64Array[];
  /** Workspace for bias-corrected values during selection. */
  readonly scratch: Float64Array;
  /** CBP's fractional count of replacements owed (accumulate = true). */
  replacementAccumulator = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly units: number,
    readonly criteria: readonly UnitUtility[],
    /** η of every running average of this layer. */
    readonly decay: number,
    readonly referenceMode: ReferenceMode,
  ) {
    if (!Number.isInteger(units) || units < 1) {
      throw new PlasticdError('invalid_layer', `Hidden layer '${name}' must have a positive integer unit count; got ${units}.`);
    }
    this.ages = new Float64Array(units);
    this.decayPowers = new Float64Array(units).fill(1);
    this.meanActivation = new Float64Array(units);
    this.reference = new Float32Array(units);
    this.utilities = criteria.map(() => new Float64Array(units));
    this.stepScores = criteria.map(() => new Float64Array(units));
    this.scratch = new Float64Array(units);
  }

  /** One step, after the optimizer update (gnt.py order): ages, ā, every criterion's utility, the next reference. */
  update(trace: LayerTrace, rng: Rng): void {
    const n = this.units;
    const decay = this.decay;
    advanceAges(this.ages, this.decayPowers, decay);
    // ā and the reference are written by inline loops rather than running-average.ts's shared
    // helpers, which also see Float64 arrays: each loop here stays monomorphic. The arithmetic is
    // the same, so results are bit-identical (checked on whole permuted-MNIST runs with resets).
    const mean = this.meanActivation;
    const stats = trace.stats;
    const offset = MEAN_ACTIVATION_ROW * n;
    const rate = 1 - decay;
    for (let i = 0; i < n; i++) mean[i] = decay * mean[i] + rate * stats[offset + i];
    for (let c = 0; c < this.criteria.length; c++) {
      const criterion = this.criteria[c];
      const scores = this.stepScores[c];
      criterion.score(trace, scores, rng);
      if (criterion.smoothed) accumulate(this.utilities[c], scores, decay);
      else this.utilities[c].set(scores);
    }
    if (this.referenceMode === 'running-mean') this.writeReference();
  }

  /** reference ← bias-corrected ā (the float32 twin of biasCorrectInto, kept monomorphic). */
  private writeReference(): void {
    const { meanActivation, decayPowers, reference } = this;
    for (let i = 0; i < this.units; i++) {
      const correction = 1 - decayPowers[i];
      reference[i] = correction > 0 ? meanActivation[i] / correction : 0;
    }
  }

  /** Bias-corrected utility Û of criterion slot `slot` for every unit, written into `out` (default: the scratch). */
  corrected(slot: number, out: Float64Array = this.scratch): Float64Array {
    if (this.criteria[slot].smoothed) biasCorrectInto(this.utilities[slot], this.decayPowers, out);
    else out.set(this.utilities[slot]);
    return out;
  }

  /** Bias-corrected running mean activation ā of one unit. */
  correctedMeanActivation(unit: number): number {
    return biasCorrected(this.meanActivation[unit], this.decayPowers[unit]);
  }

  /** Forgets everything about these units (they were just reinitialised): utilities, ā, reference, age. */
  resetUnits(units: ArrayLike<number>): void {
    for (let k = 0; k < units.length; k++) {
      const i = units[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.units) {
        throw new PlasticdError('invalid_unit', `Unit ${i} is not in hidden layer '${this.name}' (0..${this.units - 1}).`);
      }
      this.ages[i] = 0;
      this.decayPowers[i] = 1;
      this.meanActivation[i] = 0;
      this.reference[i] = 0;
      for (let c = 0; c < this.criteria.length; c++) {
        this.utilities[c][i] = 0;
        this.stepScores[c][i] = 0;
      }
    }
  }

  toData(): LayerStateData {
    const utilities: Partial<Record<CriterionName, string>> = {};
    this.criteria.forEach((criterion, c) => (utilities[criterion.name] = encodeFloat64(this.utilities[c])));
    return {
      index: this.index,
      name: this.name,
      units: this.units,
      ages: encodeFloat64(this.ages),
      decayPowers: encodeFloat64(this.decayPowers),
      meanActivation: encodeFloat64(this.meanActivation),
      utilities,
      replacementAccumulator: this.replacementAccumulator,
    };
  }

  /** Loads saved data; the reference is recomputed from ā exactly as `update` computes it. Step scores read 0 until the next update. */
  loadData(data: LayerStateData): void {
    if (data.name !== this.name || data.units !== this.units || data.index !== this.index) {
      throw new PlasticdError(
        'tracker_state_mismatch',
        `Saved layer ${data.index} '${data.name}' (${data.units} units) does not match layer ${this.index} '${this.name}' (${this.units} units).`,
      );
    }
    const n = this.units;
    this.ages.set(decodeFloat64(data.ages, n, `${this.name}.ages`));
    this.decayPowers.set(decodeFloat64(data.decayPowers, n, `${this.name}.decayPowers`));
    this.meanActivation.set(decodeFloat64(data.meanActivation, n, `${this.name}.meanActivation`));
    this.criteria.forEach((criterion, c) => {
      const encoded = data.utilities[criterion.name];
      if (encoded === undefined) {
        throw new PlasticdError('tracker_state_mismatch', `Saved layer '${this.name}' has no utility '${criterion.name}'.`);
      }
      this.utilities[c].set(decodeFloat64(encoded, n, `${this.name}.utilities.${criterion.name}`));
      this.stepScores[c].fill(0);
    });
    this.replacementAccumulator = data.replacementAccumulator;
    if (this.referenceMode === 'running-mean') this.writeReference();
    else this.reference.fill(0);
  }
}
