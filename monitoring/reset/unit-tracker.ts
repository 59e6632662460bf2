/**
 * The per-step half of the plasticity monitor for one network: after every training step,
 * `update(trace)` advances unit ages and the bias-corrected EMAs of ā and of every tracked
 * criterion (CBP's gnt.py order, algorithms.md §2.2.3), `references()` gives the GXD reference r
 * for the next step, and `selectResets(policy)` turns a reset rule into ResetEvents. Hidden layers
 * only: the output layer is never tracked or reset. `update` allocates nothing.
 * Per step: `trace = net.trainStep({..., references: tracker.references()})`; `tracker.update(trace)`;
 * `applyResets(net, tracker, tracker.selectResets(policy))`.
 */
import { TRACE_STATS } from '../../src/nn/types.ts';
import type { HiddenLayerInfo, Network, StepTrace } from '../../src/nn/types.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { Rng, RngState } from '../../src/util/rng.ts';
import { getUtility } from '../utilities/index.ts';
import { CRITERIA } from '../utilities/unit-utility.ts';
import type { CriterionName } from '../utilities/unit-utility.ts';
import { LayerState } from './layer-state.ts';
import type { LayerStateData, ReferenceMode } from './layer-state.ts';
import type { ResetPolicy } from './reset-policy.ts';
import type { ResetEvent } from './reset-event.ts';
import { FLOAT64_ENCODING } from './state-codec.ts';

export interface UnitTrackerConfig {
  /** η, the decay of every running average (utilities and ā). Default 0.99. */
  decay: number;
  /** GXD reference r handed to the next step, and whether resets transfer ā into the next bias. Default 'running-mean'. */
  reference: ReferenceMode;
  /** The criterion resets are ranked by. Default 'gxd'. */
  criterion: CriterionName;
  /** Criteria tracked every step (the selection criterion is added if missing). Default: all but 'random'. */
  criteria: CriterionName[];
}

export const DEFAULT_UNIT_TRACKER_CONFIG: Readonly<UnitTrackerConfig> = Object.freeze({
  decay: 0.99,
  reference: 'running-mean',
  criterion: 'gxd',
  criteria: CRITERIA.filter((name) => name !== 'random'),
});

/**
 * Plain JSON-able snapshot. Every per-unit array is a base64 string of little-endian float64 bytes
 * (`encoding`, see state-codec.ts), so a restored tracker continues bit for bit.
 */
export interface UnitTrackerState {
  formatVersion: 1;
  encoding: typeof FLOAT64_ENCODING;
  network: string;
  config: UnitTrackerConfig;
  step: number;
  rng: RngState;
  layers: LayerStateData[];
}

export interface UnitTrackerOptions {
  network: string;
  layers: ReadonlyArray<Pick<HiddenLayerInfo, 'name' | 'units'>>;
  config?: Partial<UnitTrackerConfig>;
  /** Draws for the random criterion and the Bernoulli replacement mode; its state is part of the tracker's. */
  rng: Rng;
  /** Update through the addon's C kernel when it is there (default true; same results bit for bit). */
  native?: boolean;
}

const NO_EVENTS: readonly ResetEvent[] = Object.freeze([]);

export class UnitTracker {
  readonly network: string;
  readonly config: Readonly<UnitTrackerConfig>;
  readonly layers: readonly LayerState[];
  /** StepTrace.step of the last update (0 before the first). */
  step = 0;
  private readonly rng: Rng;
  private readonly slots: ReadonlyMap<CriterionName, number>;
  private readonly referenceList: readonly Float32Array[];

  static forNetwork(network: Pick<Network, 'name' | 'hiddenLayers'>, rng: Rng, config: Partial<UnitTrackerConfig> = {}): UnitTracker {
    return new UnitTracker({ network: network.name, layers: network.hiddenLayers, config, rng });
  }

  constructor(options: UnitTrackerOptions) {
    this.network = options.network;
    this.config = resolveConfig(options.config ?? {});
    this.rng = options.rng;
    if (options.layers.length === 0) {
      throw new PlasticdError('invalid_layer', `Network '${options.network}' has no hidden layers to track.`);
    }
    const utilities = this.config.criteria.map(getUtility);
    this.slots = new Map(this.config.criteria.map((name, slot) => [name, slot]));
    this.layers = options.layers.map(
      (layer, index) => new LayerState(index, layer.name, layer.units, utilities, this.config.decay, this.config.reference, options.native ?? true),
    );
    this.referenceList = this.layers.map((layer) => layer.reference);
  }

  /** Consumes one step's trace (after the optimizer update). Allocates nothing. */
  update(trace: StepTrace): void {
    const layers = trace.layers;
    if (layers.length !== this.layers.length) {
      throw new PlasticdError(
        'trace_mismatch',
        `Trace of '${trace.network}' has ${layers.length} hidden layers; tracker of '${this.network}' expects ${this.layers.length} (hidden layers only, never the output layer).`,
      );
    }
    for (let l = 0; l < layers.length; l++) {
      const state = this.layers[l];
      const layer = layers[l];
      if (layer.units !== state.units || layer.stats.length < state.units * TRACE_STATS.length) {
        throw new PlasticdError(
          'trace_mismatch',
          `Trace layer ${l} has ${layer.units} units (${layer.stats.length} stats); tracker layer '${state.name}' has ${state.units}.`,
        );
      }
      state.update(layer, this.rng);
    }
    this.step = trace.step;
  }

  /**
   * Per hidden layer, the reference r to pass to the next trainStep: ā (bias-corrected) or zeros.
   * The arrays belong to the tracker and change on update and reset; do not modify them.
   */
  references(): readonly Float32Array[] {
    return this.referenceList;
  }

  /**
   * Applies `policy` to every hidden layer; allocates only when it chooses units. Call it once per
   * step and policy (the replacement-rate policy advances its fractional accumulator on each call),
   * and apply the events before the next update.
   */
  selectResets(policy: ResetPolicy, criterion: CriterionName = this.config.criterion): readonly ResetEvent[] {
    const slot = this.slotOf(criterion);
    const costCriterion: CriterionName = this.slots.has('gxd') ? 'gxd' : criterion;
    let events: ResetEvent[] | null = null;
    for (const layer of this.layers) {
      const choice = policy.choose(layer, slot, this.step, this.rng);
      if (choice === null) continue;
      const cost = layer.corrected(this.slotOf(costCriterion), new Float64Array(layer.units));
      events ??= [];
      events.push({
        network: this.network,
        layer: layer.index,
        layerName: layer.name,
        step: this.step,
        policy: policy.kind,
        criterion,
        units: choice.units,
        scores: choice.scores,
        predictedCost: choice.units.reduce((sum, i) => sum + cost[i], 0),
        costCriterion,
        biasTransfer:
          this.config.reference === 'running-mean' ? choice.units.map((i) => layer.correctedMeanActivation(i)) : null,
      });
    }
    return events ?? NO_EVENTS;
  }

  /** Forgets the tracked state of units that were just reinitialised (see apply-resets.ts). */
  resetUnits(layer: number, units: ArrayLike<number>): void {
    this.layerAt(layer).resetUnits(units);
  }

  /** Bias-corrected utility Û of `criterion` per unit of hidden layer `layer` (a copy). */
  utilities(layer: number, criterion: CriterionName): Float64Array {
    return this.layerAt(layer).corrected(this.slotOf(criterion), new Float64Array(this.layerAt(layer).units));
  }

  /** This step's raw scores of `criterion` (a copy). */
  stepScores(layer: number, criterion: CriterionName): Float64Array {
    return this.layerAt(layer).stepScores[this.slotOf(criterion)].slice();
  }

  /** Bias-corrected running mean activation ā per unit (a copy). */
  meanActivations(layer: number): Float64Array {
    const state = this.layerAt(layer);
    return Float64Array.from({ length: state.units }, (_, i) => state.correctedMeanActivation(i));
  }

  /** Unit ages (a copy). */
  ages(layer: number): Float64Array {
    return this.layerAt(layer).ages.slice();
  }

  state(): UnitTrackerState {
    return {
      formatVersion: 1,
      encoding: FLOAT64_ENCODING,
      network: this.network,
      config: { ...this.config, criteria: [...this.config.criteria] },
      step: this.step,
      rng: this.rng.state(),
      layers: this.layers.map((layer) => layer.toData()),
    };
  }

  /** Restores a snapshot from a tracker of the same network, layers and config. */
  restore(state: UnitTrackerState): void {
    if (state.formatVersion !== 1 || state.encoding !== FLOAT64_ENCODING) {
      throw new PlasticdError(
        'invalid_tracker_state',
        `Unsupported tracker state (formatVersion ${state.formatVersion}, encoding ${state.encoding}); expected 1, ${FLOAT64_ENCODING}.`,
      );
    }
    if (state.network !== this.network || state.layers.length !== this.layers.length) {
      throw new PlasticdError(
        'tracker_state_mismatch',
        `State of network '${state.network}' with ${state.layers.length} hidden layers cannot restore tracker of '${this.network}' with ${this.layers.length}.`,
      );
    }
    if (!sameConfig(state.config, this.config)) {
      throw new PlasticdError(
        'tracker_state_mismatch',
        `Saved tracker config ${JSON.stringify(state.config)} differs from this tracker's ${JSON.stringify(this.config)}; build the tracker with the saved config.`,
      );
    }
    this.layers.forEach((layer, l) => layer.loadData(state.layers[l]));
    this.step = state.step;
    this.rng.restore(state.rng);
  }

  private layerAt(layer: number): LayerState {
    const state = this.layers[layer];
    if (!Number.isInteger(layer) || state === undefined) {
      throw new PlasticdError(
        'invalid_layer',
        `Layer ${layer} is not a hidden layer of '${this.network}' (0..${this.layers.length - 1}); the output layer is never reset.`,
      );
    }
    return state;
  }

  private slotOf(criterion: CriterionName): number {
    const slot = this.slots.get(criterion);
    if (slot === undefined) {
      throw new PlasticdError(
        'criterion_not_tracked',
        `Criterion '${criterion}' is not tracked by '${this.network}'; tracked: ${this.config.criteria.join(', ')}.`,
      );
    }
    return slot;
  }
}

function resolveConfig(config: Partial<UnitTrackerConfig>): UnitTrackerConfig {
  const full = { ...DEFAULT_UNIT_TRACKER_CONFIG, ...config };
  if (!(full.decay >= 0 && full.decay < 1)) {
    throw new PlasticdError('invalid_tracker_config', `Tracker 'decay' must be in [0, 1); got ${full.decay}.`);
  }
  if (full.reference !== 'running-mean' && full.reference !== 'zero') {
    throw new PlasticdError('invalid_tracker_config', `Tracker 'reference' must be 'running-mean' or 'zero'; got '${full.reference}'.`);
  }
  getUtility(full.criterion);
  const criteria = [...new Set<CriterionName>(full.criteria.map((name) => getUtility(name).name))];
  if (!criteria.includes(full.criterion)) criteria.push(full.criterion);
  return { decay: full.decay, reference: full.reference, criterion: full.criterion, criteria };
}

function sameConfig(a: UnitTrackerConfig, b: UnitTrackerConfig): boolean {
  return (
    a.decay === b.decay &&
    a.reference === b.reference &&
    a.criterion === b.criterion &&
    a.criteria.length === b.criteria.length &&
    a.criteria.every((name, i) => name === b.criteria[i])
  );
}
