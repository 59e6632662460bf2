/**
 * The per-element optimizers of optimizers/ (SGD with momentum, Adam with per-element step counts,
 * ObGD) as in-place loops over Float32Arrays for the typed-array engine; same formulas, same state
 * slot names (so NetworkState moves between engines), no allocation per step. With the native
 * kernels (native-kernels.ts), ranges of at least NATIVE_MIN_RANGE entries run in C with the same
 * arithmetic (bit-identical parameters and state; Σg², ΣΔ² summed in another order).
 */
import { PlasticdError } from '../../util/errors.ts';
import { ADAM_POWER_FLOOR } from '../optimizers/adam.ts';
import { OBGD_TRACE_SLOT, obgdSettings, obgdSignal } from '../optimizers/obgd.ts';
import { gradientClipScale, validateOptimizerConfig, type AdamConfig, type ObgdConfig, type OptimizerConfig, type SgdConfig } from '../optimizers/optimizer.ts';
import type { NativeStepKernels } from './native-kernels.ts';
import { adamLoop, adamLoopPerElement, adamLoopPerElementPlain, adamLoopPlain, adamLoopRows, sgdLoop } from './optimizer-loops.ts';
import { UnitResetClocks, type ResetBlock } from './unit-reset-clocks.ts';

/** Ranges shorter than this stay in JS: an addon call costs about as much as ~100 JS updates. */
export const NATIVE_MIN_RANGE = 256;

export interface TypedOptimizer {
  readonly config: Readonly<OptimizerConfig>;
  setLearningRate(learningRate: number): void;
  /**
   * One step, in ranges so the caller can read each updated row while it is in cache: begin(),
   * applyRange() over every index exactly once, finish(). θ ← θ − Δ in place; `gradient` includes
   * the regularizers' terms. finish() writes sums[0] = Σ g² and sums[1] = Σ Δ² (StepTrace norms).
   */
  begin(gradient: Float32Array, parameters: Float32Array, signal: number | undefined): void;
  applyRange(from: number, to: number): void;
  finish(sums: Float64Array): void;
  /** begin(); applyRange(0, size); finish(sums). */
  apply(gradient: Float32Array, parameters: Float32Array, signal: number | undefined, sums: Float64Array): void;
  /** Zeroes every state entry where `mask` is 1. */
  resetEntries(mask: Float32Array): void;
  /** Resets the state entries at `indices` (each once), touching nothing else: O(indices). */
  resetIndices(indices: ArrayLike<number>): void;
  /** resetIndices(indices) where `indices` are exactly the entries unit surgery touches for `units` of hidden layer `layer`. */
  resetUnits(layer: number, units: ArrayLike<number>, indices: ArrayLike<number>): void;
  /** An independent optimizer with the same config and an exact copy of the state. */
  clone(): TypedOptimizer;
  /** Becomes an exact copy of `source` (config and state) in place; false (nothing changed) when `source` is another kind or size. */
  copyFrom(source: TypedOptimizer): boolean;
  resetEligibilityTraces(): void;
  slots(): Record<string, Float32Array>;
  restoreSlots(slots: Record<string, ArrayLike<number>>): void;
}

abstract class SlotOptimizer<C extends OptimizerConfig> implements TypedOptimizer {
  protected readonly settings: C;
  protected readonly state = new Map<string, Float32Array>();
  /** Value of each slot at a fresh (or reset) entry. */
  private readonly initial = new Map<string, number>();
  protected gradient: Float32Array = new Float32Array(0);
  protected parameters: Float32Array = new Float32Array(0);
  /** Σ g², Σ Δ² over the ranges applied this step. */
  protected readonly accumulated = new Float64Array(2);

  constructor(
    config: C,
    protected readonly size: number,
    names: readonly (string | { name: string; initial: number })[],
    protected readonly native: NativeStepKernels | null,
  ) {
    validateOptimizerConfig(config);
    this.settings = { ...config };
    for (const entry of names) {
      const { name, initial } = typeof entry === 'string' ? { name: entry, initial: 0 } : entry;
      const values = new Float32Array(size);
      if (initial !== 0) values.fill(initial);
      this.state.set(name, values);
      this.initial.set(name, initial);
    }
  }

  get config(): Readonly<C> {
    return this.settings;
  }

  setLearningRate(learningRate: number): void {
    validateOptimizerConfig({ ...this.settings, learningRate });
    this.settings.learningRate = learningRate;
  }

  begin(gradient: Float32Array, parameters: Float32Array, _signal: number | undefined): void {
    this.gradient = gradient;
    this.parameters = parameters;
    this.accumulated.fill(0);
    const maxGradNorm = this.settings.kind === 'obgd' ? undefined : this.settings.maxGradNorm;
    if (maxGradNorm !== undefined) {
      // Global-norm clipping scales the caller's gradient buffer in place (the network rebuilds it every step).
      let squares = 0;
      for (let k = 0; k < gradient.length; k++) squares += gradient[k] * gradient[k];
      const scale = gradientClipScale(squares, maxGradNorm);
      if (scale < 1) for (let k = 0; k < gradient.length; k++) gradient[k] *= scale;
    }
  }

  abstract applyRange(from: number, to: number): void;

  finish(sums: Float64Array): void {
    sums[0] = this.accumulated[0];
    sums[1] = this.accumulated[1];
  }

  apply(gradient: Float32Array, parameters: Float32Array, signal: number | undefined, sums: Float64Array): void {
    this.begin(gradient, parameters, signal);
    this.applyRange(0, this.size);
    this.finish(sums);
  }

  resetEntries(mask: Float32Array): void {
    for (const [name, values] of this.state) {
      const initial = this.initial.get(name)!;
      for (let k = 0; k < this.size; k++) if (mask[k] !== 0) values[k] = initial;
    }
  }

  resetIndices(indices: ArrayLike<number>): void {
    for (const [name, values] of this.state) {
      const initial = this.initial.get(name)!;
      for (let k = 0; k < indices.length; k++) values[indices[k]] = initial;
    }
  }

  resetUnits(_layer: number, _units: ArrayLike<number>, indices: ArrayLike<number>): void {
    this.resetIndices(indices);
  }

  abstract clone(): TypedOptimizer;

  copyFrom(source: TypedOptimizer): boolean {
    if (source.constructor !== this.constructor || (source as SlotOptimizer<C>).size !== this.size) return false;
    const other = source as SlotOptimizer<C>;
    const settings = this.settings as unknown as Record<string, unknown>;
    for (const key of Object.keys(settings)) if (!(key in other.settings)) delete settings[key];
    Object.assign(settings, other.settings);
    this.copySlotsFrom(other);
    this.copyCountersFrom(other);
    return true;
  }

  /** Copies state kept outside the slots (Adam's step counts); nothing by default. */
  protected copyCountersFrom(_source: SlotOptimizer<C>): void {}

  /** Copies every slot of `source` (same class, same size) into this one. */
  protected copySlotsFrom(source: SlotOptimizer<C>): void {
    for (const [name, values] of this.state) values.set(source.state.get(name)!);
  }

  resetEligibilityTraces(): void {}

  slots(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, values] of this.state) out[name] = values.slice();
    return out;
  }

  restoreSlots(slots: Record<string, ArrayLike<number>>): void {
    for (const [name, values] of this.state) {
      const next = slots[name];
      if (next === undefined || next.length !== this.size) {
        throw new PlasticdError('nn_state_mismatch', `Optimizer state "${name}" is missing or has the wrong length (expected ${this.size}).`);
      }
      values.set(next);
    }
  }
}

/** torch.optim.SGD: g ← g + λθ; b ← μ·b + g; Δ = lr·b. */
class TypedSgd extends SlotOptimizer<SgdConfig> {
  constructor(config: SgdConfig, size: number, native: NativeStepKernels | null) {
    super(config, size, (config.momentum ?? 0) > 0 ? ['momentum'] : [], native);
  }

  clone(): TypedSgd {
    const copy = new TypedSgd(this.settings, this.size, this.native);
    copy.copySlotsFrom(this);
    return copy;
  }

  /** [momentum, weightDecay, learningRate]: doubles go to the loop in an array, not as arguments (no boxing per call). */
  private readonly scalars = new Float64Array(3);
  private buffer: Float32Array | null = null;

  override begin(gradient: Float32Array, parameters: Float32Array, signal: number | undefined): void {
    super.begin(gradient, parameters, signal);
    const { learningRate, momentum = 0, weightDecay = 0 } = this.settings;
    this.scalars[0] = momentum;
    this.scalars[1] = weightDecay;
    this.scalars[2] = learningRate;
    this.buffer = this.state.get('momentum') ?? null;
  }

  applyRange(from: number, to: number): void {
    if (this.native !== null && to - from >= NATIVE_MIN_RANGE) this.native.sgd(from, to, this.gradient, this.parameters, this.buffer, this.scalars, this.accumulated);
    else sgdLoop(from, to, this.gradient, this.parameters, this.buffer, this.scalars, this.accumulated);
  }
}

/**
 * Adam with per-element bias correction (optimizers/adam.ts). The per-element step count is
 * t = count − resetAt (slot `step`); the corrections 1/(1 − β^t) come from tables indexed by t, and
 * are one scalar per step while every entry has the same t (no reset yet) or a t past the table
 * (corrections 1), the common cases. After unit resets, the corrections are read per row and per
 * column (unit-reset-clocks.ts) when the network gave its blocks and every reset was a unit's; the
 * per-element lookup is the fallback. The tfjs optimizer's slots beta1Power/beta2Power are written
 * as β^t on output and ignored on input (t determines them).
 */
class TypedAdam extends SlotOptimizer<AdamConfig> {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private count = 0;
  private readonly resetAt: Int32Array;
  private newestReset = 0;
  private uniform = true;
  private corrections1: Float64Array = new Float64Array(0);
  private corrections2: Float64Array = new Float64Array(0);
  /**
   * The loop's scalars [beta1, beta2, epsilon, learningRate, coupled, decoupled, c1, c2, count]
   * (c1, c2: this step's corrections, NaN when they differ per element); passed as one array so
   * that no double is boxed per applyRange call.
   */
  private readonly scalars = new Float64Array(9);
  /** No weight decay this step: the JS loops without the decay terms (V8 runs them 2–3× faster). */
  private plain = true;
  /** The network's blocks (null: none given, per-element lookups only). */
  private readonly blocks: readonly ResetBlock[] | null;
  /** Per-unit reset steps, while every reset has been a unit's (null: per-element lookups). */
  private clocks: UnitResetClocks | null;

  constructor(config: AdamConfig, size: number, native: NativeStepKernels | null, blocks: readonly ResetBlock[] | null) {
    super(config, size, ['m', 'v'], native);
    this.m = this.state.get('m')!;
    this.v = this.state.get('v')!;
    this.resetAt = new Int32Array(size);
    // An addon built before adamRows: its per-element kernel beats the JS row loop.
    this.blocks = blocks !== null && (native === null || typeof native.adamRows === 'function') ? blocks : null;
    this.clocks = this.freshClocks();
    this.buildTables();
  }

  clone(): TypedAdam {
    const copy = new TypedAdam(this.settings, this.size, this.native, this.blocks);
    copy.copySlotsFrom(this);
    copy.copyCountersFrom(this);
    return copy;
  }

  protected override copyCountersFrom(source: TypedAdam): void {
    this.resetAt.set(source.resetAt);
    this.count = source.count;
    this.newestReset = source.newestReset;
    this.uniform = source.uniform;
    this.clocks = source.clocks === null ? null : (this.clocks ?? this.freshClocks());
    if (source.clocks !== null) this.clocks?.copyFrom(source.clocks);
    this.buildTables();
  }

  override begin(gradient: Float32Array, parameters: Float32Array, signal: number | undefined): void {
    super.begin(gradient, parameters, signal);
    this.count += 1;
    const { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, decoupledWeightDecay = false } = this.settings;
    const s = this.scalars;
    s[0] = beta1;
    s[1] = beta2;
    s[2] = epsilon;
    s[3] = learningRate;
    s[4] = weightDecay > 0 && !decoupledWeightDecay ? weightDecay : 0;
    s[5] = weightDecay > 0 && decoupledWeightDecay ? learningRate * weightDecay : 0;
    const last = this.corrections1.length - 1;
    const youngest = this.count - this.newestReset;
    if (this.uniform || youngest >= last) {
      const t = Math.min(youngest, last);
      s[6] = this.corrections1[t];
      s[7] = this.corrections2[t];
    } else {
      s[6] = Number.NaN;
      s[7] = Number.NaN;
      this.clocks?.prepare(this.count, this.corrections1, this.corrections2);
    }
    s[8] = this.count;
    this.plain = s[4] === 0 && s[5] === 0;
  }

  applyRange(from: number, to: number): void {
    if (this.clocks !== null && Number.isNaN(this.scalars[6])) {
      this.applyRows(from, to, this.clocks);
    } else if (this.native !== null && to - from >= NATIVE_MIN_RANGE) {
      const perElement = Number.isNaN(this.scalars[6]);
      this.native.adam(from, to, this.gradient, this.parameters, this.m, this.v, this.scalars, this.accumulated, perElement ? this.resetAt : null, perElement ? this.corrections1 : null, perElement ? this.corrections2 : null);
    } else if (Number.isNaN(this.scalars[6])) {
      if (this.plain) adamLoopPerElementPlain(from, to, this.gradient, this.parameters, this.m, this.v, this.resetAt, this.corrections1, this.corrections2, this.scalars, this.accumulated);
      else adamLoopPerElement(from, to, this.gradient, this.parameters, this.m, this.v, this.resetAt, this.corrections1, this.corrections2, this.scalars, this.accumulated);
    } else if (this.plain) {
      adamLoopPlain(from, to, this.gradient, this.parameters, this.m, this.v, this.scalars, this.accumulated);
    } else {
      adamLoop(from, to, this.gradient, this.parameters, this.m, this.v, this.scalars, this.accumulated);
    }
  }

  /** applyRange with the corrections per row and column, block by block. */
  private applyRows(from: number, to: number, clocks: UnitResetClocks): void {
    const native = this.native;
    for (let k = from; k < to; ) {
      const { block, rowC1, rowC2, colC1, colC2 } = clocks.at(k);
      const end = Math.min(to, block.offset + block.rows * block.cols);
      if (native?.adamRows && end - k >= NATIVE_MIN_RANGE) {
        native.adamRows(k, end, block.offset, block.cols, this.gradient, this.parameters, this.m, this.v, rowC1, rowC2, colC1, colC2, this.scalars, this.accumulated);
      } else {
        adamLoopRows(k, end, block.offset, block.cols, this.gradient, this.parameters, this.m, this.v, rowC1, rowC2, colC1, colC2, this.scalars, this.accumulated);
      }
      k = end;
    }
  }

  override resetEntries(mask: Float32Array): void {
    super.resetEntries(mask);
    let any = false;
    for (let k = 0; k < this.size; k++) {
      if (mask[k] !== 0) {
        this.resetAt[k] = this.count;
        any = true;
      }
    }
    if (any) {
      this.newestReset = this.count;
      this.uniform = false;
      this.clocks = null;
    }
  }

  override resetIndices(indices: ArrayLike<number>): void {
    this.resetEntryCounters(indices);
    if (indices.length > 0) this.clocks = null;
  }

  override resetUnits(layer: number, units: ArrayLike<number>, indices: ArrayLike<number>): void {
    this.resetEntryCounters(indices);
    this.clocks?.reset(layer, units, this.count);
  }

  private resetEntryCounters(indices: ArrayLike<number>): void {
    super.resetIndices(indices);
    for (let k = 0; k < indices.length; k++) this.resetAt[indices[k]] = this.count;
    if (indices.length > 0) {
      this.newestReset = this.count;
      this.uniform = false;
    }
  }

  override restoreSlots(slots: Record<string, ArrayLike<number>>): void {
    const step = slots.step;
    if (step === undefined || step.length !== this.size) {
      throw new PlasticdError('nn_state_mismatch', `Optimizer state "step" is missing or has the wrong length (expected ${this.size}).`);
    }
    super.restoreSlots(slots);
    let count = 0;
    for (let k = 0; k < this.size; k++) count = Math.max(count, step[k]);
    let newest = 0;
    let uniform = true;
    for (let k = 0; k < this.size; k++) {
      const at = count - step[k];
      this.resetAt[k] = at;
      newest = Math.max(newest, at);
      if (at !== 0) uniform = false;
    }
    this.count = count;
    this.newestReset = newest;
    this.uniform = uniform;
    this.clocks = this.freshClocks();
    if (this.clocks !== null && !this.clocks.rebuild(this.resetAt)) this.clocks = null;
  }

  private freshClocks(): UnitResetClocks | null {
    return this.blocks === null ? null : new UnitResetClocks(this.blocks);
  }

  override slots(): Record<string, Float32Array> {
    const out = super.slots();
    const { beta1 = 0.9, beta2 = 0.999 } = this.settings;
    out.step = Float32Array.from(this.resetAt, (at) => this.count - at);
    out.beta1Power = Float32Array.from(out.step, (t) => beta1 ** t + ADAM_POWER_FLOOR);
    out.beta2Power = Float32Array.from(out.step, (t) => beta2 ** t + ADAM_POWER_FLOOR);
    return out;
  }

  private buildTables(): void {
    const { beta1 = 0.9, beta2 = 0.999 } = this.settings;
    const tables = correctionTables(beta1, beta2);
    this.corrections1 = tables[0];
    this.corrections2 = tables[1];
  }
}

/** Shared, read-only correction tables per (β1, β2): building one costs ~36k powers, and clone() and
 * restore() make optimizers often (the reset audit clones networks every K windows). */
const correctionCache = new Map<string, readonly [Float64Array, Float64Array]>();

/**
 * c[t] = 1/(1 − β^t) for t up to where β^t < 2^-26 (the correction is 1 to float32 precision
 * beyond; the last entry is 1), at most 2^20 entries (then the tail reuses the last value,
 * off by < β^(2^20)).
 */
function correctionTables(beta1: number, beta2: number): readonly [Float64Array, Float64Array] {
  const key = `${beta1},${beta2}`;
  const cached = correctionCache.get(key);
  if (cached !== undefined) return cached;
  const length = (beta: number) => (beta <= 0 ? 2 : Math.min(2 ** 20, Math.ceil(Math.log(2 ** -26) / Math.log(beta)) + 2));
  const n = Math.max(length(beta1), length(beta2));
  const table = (beta: number) => {
    const c = new Float64Array(n);
    c[0] = 1;
    for (let t = 1; t < n - 1; t++) c[t] = 1 / (1 - beta ** t);
    c[n - 1] = n >= 2 ** 20 ? 1 / (1 - beta ** (n - 1)) : 1;
    return c;
  };
  const tables = [table(beta1), table(beta2)] as const;
  if (correctionCache.size >= 64) correctionCache.clear();
  correctionCache.set(key, tables);
  return tables;
}

/** ObGD (optimizers/obgd.ts): z ← γλ·z + g; θ ← θ + α/max(α·κ·max(|δ|, 1)·‖z‖₁, 1)·δ·z. */
class TypedObgd extends SlotOptimizer<ObgdConfig> {
  private readonly z: Float32Array;
  private scale = 0;

  constructor(config: ObgdConfig, size: number, native: NativeStepKernels | null) {
    super(config, size, [OBGD_TRACE_SLOT], native);
    this.z = this.state.get(OBGD_TRACE_SLOT)!;
  }

  clone(): TypedObgd {
    const copy = new TypedObgd(this.settings, this.size, this.native);
    copy.copySlotsFrom(this);
    return copy;
  }

  /** The trace and its L1 norm over every entry first: the step size depends on all of them. */
  override begin(gradient: Float32Array, parameters: Float32Array, signal: number | undefined): void {
    const tdError = obgdSignal(signal);
    super.begin(gradient, parameters, signal);
    const { learningRate, gamma, lambda, kappa } = obgdSettings(this.settings);
    const decay = gamma * lambda;
    const z = this.z;
    let gradSq = 0;
    let norm1 = 0;
    for (let k = 0; k < this.size; k++) {
      const gk = gradient[k];
      gradSq += gk * gk;
      const value = (z[k] = z[k] * decay + gk);
      norm1 += Math.abs(value);
    }
    this.accumulated[0] = gradSq;
    const bound = learningRate * kappa * Math.max(Math.abs(tdError), 1) * norm1;
    this.scale = (learningRate / Math.max(bound, 1)) * tdError;
  }

  applyRange(from: number, to: number): void {
    const { z, parameters, scale } = this;
    let deltaSq = 0;
    for (let k = from; k < to; k++) {
      const delta = Math.fround(z[k] * scale);
      deltaSq += delta * delta;
      parameters[k] += delta;
    }
    this.accumulated[1] += deltaSq;
  }

  override resetEligibilityTraces(): void {
    this.z.fill(0);
  }
}

/**
 * `blocks` (unit-reset-clocks.ts resetBlocks of the network's layout) let Adam read its bias
 * corrections per row and column after unit resets; without them it looks them up per element.
 */
export function createTypedOptimizer(config: OptimizerConfig, size: number, native: NativeStepKernels | null = null, blocks: readonly ResetBlock[] | null = null): TypedOptimizer {
  switch (config.kind) {
    case 'sgd':
      return new TypedSgd(config, size, native);
    case 'adam':
      return new TypedAdam(config, size, native, blocks);
    case 'obgd':
      return new TypedObgd(config, size, native);
    default:
      validateOptimizerConfig(config);
      throw new Error('unreachable');
  }
}
