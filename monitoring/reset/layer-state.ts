/**
 * Everything the unit tracker keeps for one hidden layer, in preallocated Float64Arrays: unit ages
 * and η^age, the running mean activation ā (the GXD reference and the bias-transfer value), one
 * running utility per tracked criterion, the last step's raw scores, and CBP's fractional
 * replacement accumulator (algorithms.md §2.2.3–2.2.4). `update` is the per-step hot path and
 * allocates nothing.
 */
import type { LayerTrace, TraceStat } from '../../src/nn/types.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { Rng } from '../../src/util/rng.ts';
import { accumulate, advanceAges, biasCorrected, biasCorrectInto } from '../utilities/running-average.ts';
import { statRow } from '../utilities/unit-utility.ts';
import type { CriterionName, UnitUtility } from '../utilities/unit-utility.ts';
import { nativeTrackerKernel } from './native-tracker.ts';
import type { NativeTrackerKernel } from './native-tracker.ts';
import { decodeFloat64, encodeFloat64 } from './state-codec.ts';

export type ReferenceMode = 'running-mean' | 'zero';

const MEAN_ACTIVATION_ROW = statRow('meanActivation');
/** Smaller layers update in JS: one addon call costs about 1 µs, what the JS loops take for ~20 units (bench/monitor.bench.ts). */
const NATIVE_MIN_UNITS = 24;

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
  /** The C twin of `update` (null: JS only), the criteria it scores (rows a, b, divisor; −1 = none), and the slots left to JS. */
  private readonly native: NativeTrackerKernel | null;
  private readonly formulas: Int32Array;
  private readonly jsSlots: number[];
  /** utilities[c] and stepScores[c] are views of these (criterion-major), which the C kernel updates in one call. */
  private readonly utilityBuffer: Float64Array;
  private readonly scoreBuffer: Float64Array;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly units: number,
    readonly criteria: readonly UnitUtility[],
    /** η of every running average of this layer. */
    readonly decay: number,
    readonly referenceMode: ReferenceMode,
    /** Use the native kernel when the addon has it (default true). */
    native = true,
  ) {
    if (!Number.isInteger(units) || units < 1) {
      throw new PlasticdError('invalid_layer', `Hidden layer '${name}' must have a positive integer unit count; got ${units}.`);
    }
    this.ages = new Float64Array(units);
    this.decayPowers = new Float64Array(units).fill(1);
    this.meanActivation = new Float64Array(units);
    this.reference = new Float32Array(units);
    this.utilityBuffer = new Float64Array(criteria.length * units);
    this.scoreBuffer = new Float64Array(criteria.length * units);
    this.utilities = criteria.map((_, c) => this.utilityBuffer.subarray(c * units, (c + 1) * units));
    this.stepScores = criteria.map((_, c) => this.scoreBuffer.subarray(c * units, (c + 1) * units));
    this.scratch = new Float64Array(units);
    this.native = native && units >= NATIVE_MIN_UNITS ? nativeTrackerKernel() : null;
    // Only smoothed criteria go native (the kernel always takes the EMA).
    const row = (stat: TraceStat | undefined) => (stat === undefined ? -1 : statRow(stat));
    this.formulas = Int32Array.from(
      criteria.flatMap((criterion) => {
        const formula = criterion.smoothed && this.native !== null ? criterion.formula : undefined;
        return formula ? [row(formula.rows[0]), row(formula.rows[1]), row(formula.divideBy)] : [-1, -1, -1];
      }),
    );
    this.jsSlots = criteria.map((_, c) => c).filter((c) => this.formulas[3 * c] < 0);
  }

  /** One step, after the optimizer update (gnt.py order): ages, ā, every criterion's utility, the next reference. */
  update(trace: LayerTrace, rng: Rng): void {
    if (this.native !== null) {
      const reference = this.referenceMode === 'running-mean' ? this.reference : null;
      this.native.trackerUpdate(trace.stats, this.units, this.decay, this.ages, this.decayPowers, this.meanActivation, MEAN_ACTIVATION_ROW, reference, this.utilityBuffer, this.scoreBuffer, this.formulas);
      // The criteria without a formula, in slot order (their RNG draws stay in the JS order).
      for (const c of this.jsSlots) this.scoreInJs(c, trace, rng);
      return;
    }
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
    for (let c = 0; c < this.criteria.length; c++) this.scoreInJs(c, trace, rng);
    if (this.referenceMode === 'running-mean') this.writeReference();
  }

  /** One criterion's step score and running value, in JS. */
  private scoreInJs(c: number, trace: LayerTrace, rng: Rng): void {
    const criterion = this.criteria[c];
    const scores = this.stepScores[c];
    criterion.score(trace, scores, rng);
    if (criterion.smoothed) accumulate(this.utilities[c], scores, this.decay);
    else this.utilities[c].set(scores);
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
