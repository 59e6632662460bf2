/**
 * The typed-array engine: the same dense network as network.ts (same spec, initial weights from the
 * same Rng draws, activations, LayerNorm, dropout, StepTrace, surgery, regularizers, optimizers,
 * NetworkState) computed with in-place loops over preallocated Float32Arrays instead of tfjs ops,
 * which cost microseconds each. Buffers are sized for the largest batch seen (grown on demand);
 * a training step allocates only the StepTrace it returns. Matrix products go through matmul.ts
 * (JS, or OpenBLAS above a size threshold when the addon is built); with the addon, large element-wise
 * passes (bias + activation, the fused backward with the trace statistics, the optimizer, the |W|
 * rows) run in its C kernels, bit-identical to the JS (native-kernels.ts).
 */
import { Rng } from '../../util/rng.ts';
import { PlasticdError } from '../../util/errors.ts';
import { drawInitialParameters } from '../initializers.ts';
import { callLoss } from '../losses.ts';
import type { NetworkOptions } from '../network.ts';
import { checkObgdRegularizers } from '../optimizers/obgd.ts';
import { DEFAULT_OPTIMIZER, type OptimizerConfig } from '../optimizers/optimizer.ts';
import { ParameterLayout } from '../parameter-layout.ts';
import { resolveRegularizers, type RegularizerConfig, type ResolvedRegularizers } from '../regularizers.ts';
import { planLayers, type LayerPlan } from '../spec.ts';
import { assertSameSpec, buildNetworkState, readNetworkState } from '../state.ts';
import { planSurgery } from '../surgery.ts';
import { makeLayerTrace } from '../trace.ts';
import { TRACE_STATS } from '../types.ts';
import type { HiddenLayerInfo, LayerWeights, Network, NetworkSpec, NetworkState, OutputLoss, ReinitializeOptions, StepTrace, TrainStepInput } from '../types.ts';
import { activateInto, activationBackward } from './activations.ts';
import { layerNormBackward, layerNormForward, type Layer } from './layer.ts';
import { MatMul } from './matmul.ts';
import { BACKWARD_CODES, FORWARD_CODES, loadNativeStepKernels, type NativeStepKernels } from './native-kernels.ts';
import { createTypedOptimizer, type TypedOptimizer } from './optimizers.ts';
import { resetBlocks } from './unit-reset-clocks.ts';
import { addRegularizerTerms, applyShrinkAndPerturb, RegularizerScratch, sortedInitialValues } from './regularizers.ts';
import { backwardHidden, biasGradient } from './step-kernels.ts';
import { activationRows, weightRows } from './trace-stats.ts';

/** Element counts from which a pass goes to the native kernels (an addon call costs ~0.3–1 µs). */
const NATIVE_MIN_ELEMENTS = 256;
const NATIVE_MIN_WEIGHTS = 1024;

export interface TypedNetworkOptions extends NetworkOptions {
  /** Use the OpenBLAS addon for large products when it is built; default true. */
  blas?: boolean;
  /** Multiply-adds from which a product goes to BLAS (matmul.ts). */
  blasThreshold?: number;
  /**
   * Run large element-wise passes in the addon's C kernels when `blas` is on and the addon has them;
   * default true. Off, they run in JS with identical results (a switch for tests and benchmarks).
   */
  nativeKernels?: boolean;
}

export class TypedNetwork implements Network {
  readonly name: string;
  readonly spec: NetworkSpec;
  readonly hiddenLayers: readonly HiddenLayerInfo[];
  private readonly plans: LayerPlan[];
  private readonly layout: ParameterLayout;
  private readonly rng: Rng;
  private readonly matmul: MatMul;
  private readonly native: NativeStepKernels | null;
  private readonly blasOption: boolean;
  private readonly nativeOption: boolean;
  private optimizer: TypedOptimizer;
  private regularizerConfig: RegularizerConfig = {};
  private regs!: ResolvedRegularizers;
  private readonly parameters: Float32Array;
  private readonly gradient: Float32Array;
  /** Σg² and ΣΔ² from the optimizer's pass. */
  private readonly sums = new Float64Array(2);
  private initialValues: Float32Array;
  private sortedInitial: Float32Array | null = null;
  private noise: Float32Array | null = null;
  private perturbation: Float32Array | null = null;
  private readonly scratch: RegularizerScratch;
  /** Float64 accumulators for the trace: per-unit column sums of |W|, then the activation rows. */
  private readonly columnScratch: Float64Array;
  private readonly layers: Layer[];
  private capacity = 0;
  /** Views of the output and output-gradient buffers for `viewBatch` rows (what the loss sees). */
  private viewBatch = 0;
  private outputView: Float32Array = new Float32Array(0);
  private outputGradientView: Float32Array = new Float32Array(0);
  private updateCount = 0;
  private disposed = false;

  /**
   * `source` is internal (clone()): the new network copies its weights, optimizer state, Rng and
   * counters instead of drawing from the initialiser.
   */
  constructor(spec: NetworkSpec, options: TypedNetworkOptions = {}, source?: TypedNetwork) {
    this.plans = planLayers(spec);
    this.spec = structuredClone(spec);
    this.name = spec.name;
    this.hiddenLayers = this.plans.slice(0, -1).map((p) => ({ index: p.index, name: p.name, units: p.fanOut, activation: p.activation }));
    this.layout = new ParameterLayout(this.plans.map((p) => ({ name: p.name, fanIn: p.fanIn, fanOut: p.fanOut, layerNorm: p.layerNorm })));
    this.rng = source ? Rng.fromState(source.rng.state()) : new Rng(spec.seed);
    this.initialValues = source ? source.initialValues.slice() : drawInitialParameters(this.plans, this.layout, this.rng);
    this.blasOption = options.blas ?? true;
    this.matmul = new MatMul(this.blasOption, options.blasThreshold);
    this.nativeOption = options.nativeKernels ?? true;
    this.native = this.blasOption && this.nativeOption ? loadNativeStepKernels() : null;
    this.optimizer = source ? source.optimizer.clone() : createTypedOptimizer(options.optimizer ?? DEFAULT_OPTIMIZER, this.layout.size, this.native, resetBlocks(this.layout));
    this.updateCount = source ? source.updateCount : 0;
    this.parameters = (source ? source.parameters : this.initialValues).slice();
    this.gradient = new Float32Array(this.layout.size);
    this.scratch = new RegularizerScratch(this.layout.size);
    this.columnScratch = new Float64Array(7 * Math.max(1, ...this.plans.map((p) => p.fanOut)));
    this.layers = this.plans.map((plan) => {
      const slots = this.layout.layers[plan.index];
      const view = (flat: Float32Array, slot: { offset: number; size: number } | undefined) => (slot ? flat.subarray(slot.offset, slot.offset + slot.size) : null);
      const empty = new Float32Array(0);
      return {
        plan,
        fanIn: plan.fanIn,
        fanOut: plan.fanOut,
        kernel: view(this.parameters, slots.weight)!,
        bias: view(this.parameters, slots.bias)!,
        gain: view(this.parameters, slots.layerNormGain),
        shift: view(this.parameters, slots.layerNormBias),
        dKernel: view(this.gradient, slots.weight)!,
        dBias: view(this.gradient, slots.bias)!,
        dGain: view(this.gradient, slots.layerNormGain),
        dShift: view(this.gradient, slots.layerNormBias),
        z: empty,
        y: empty,
        normalised: null,
        inverseStd: null,
        a: empty,
        mask: null,
        dropped: null,
        da: empty,
        dz: empty,
      };
    });
    this.setRegularizers(options.regularizers ?? {});
    this.ensureCapacity(1);
  }

  get updates(): number {
    return this.updateCount;
  }

  get parameterCount(): number {
    return this.layout.size;
  }

  get optimizerConfig(): Readonly<OptimizerConfig> {
    return this.optimizer.config;
  }

  get regularizers(): Readonly<RegularizerConfig> {
    return this.regularizerConfig;
  }

  /** Whether large products go to OpenBLAS. */
  get usesBlas(): boolean {
    return this.matmul.usesBlas;
  }

  /** Whether large element-wise passes run in the addon's C kernels. */
  get usesNativeKernels(): boolean {
    return this.native !== null;
  }

  setLearningRate(learningRate: number): void {
    this.optimizer.setLearningRate(learningRate);
  }

  resetEligibilityTraces(): void {
    this.assertAlive();
    this.optimizer.resetEligibilityTraces();
  }

  setRegularizers(config: RegularizerConfig): void {
    checkObgdRegularizers(this.optimizer.config.kind, config);
    this.regs = resolveRegularizers(config);
    this.regularizerConfig = structuredClone(config);
    this.sortedInitial = this.regs.wasserstein > 0 ? sortedInitialValues(this.layout, this.initialValues) : null;
    this.noise = this.regs.noiseScale > 0 ? (this.noise ?? new Float32Array(this.layout.size)) : null;
    this.perturbation = this.regs.perturbStd > 0 ? (this.perturbation ?? new Float32Array(this.layout.size)) : null;
  }

  predict(input: Float32Array, batchSize: number): Float32Array {
    this.checkBatch(input, batchSize);
    this.forward(input, batchSize, false);
    return this.layers[this.layers.length - 1].a.slice(0, batchSize * this.spec.outputSize);
  }

  forwardWithActivations(input: Float32Array, batchSize: number): { output: Float32Array; activations: Float32Array[] } {
    const output = this.predict(input, batchSize);
    const activations = this.hiddenLayers.map((h, l) => this.layers[l].a.slice(0, batchSize * h.units));
    return { output, activations };
  }

  evaluateLoss(input: Float32Array, batchSize: number, loss: OutputLoss): number {
    this.checkBatch(input, batchSize);
    this.forward(input, batchSize, false);
    return this.callOutputLoss(loss, batchSize);
  }

  trainStep(args: TrainStepInput): StepTrace {
    const { input, batchSize, loss } = args;
    this.checkBatch(input, batchSize);
    const references = this.referenceVector(args.references);
    // Rng order as in network.ts: dropout masks, gradient noise, perturbation.
    this.drawDropoutMasks(batchSize);
    if (this.noise) this.fillNormals(this.noise);
    if (this.perturbation) this.fillNormals(this.perturbation);
    this.forward(input, batchSize, true);
    const value = this.callOutputLoss(loss, batchSize);
    // The activation rows of the StepTrace are accumulated inside the backward pass.
    const stats = this.hiddenLayers.map((h) => new Float32Array(TRACE_STATS.length * h.units));
    this.backward(input, batchSize, true, true, stats, references);
    const g = this.gradient;
    const sums = this.sums;
    let gradNorm = -1;
    if (this.regs.l2 > 0 || this.regs.l2Init > 0 || this.regs.wasserstein > 0 || this.regs.noiseScale > 0) {
      // The StepTrace reports the loss gradient's norm; the regularizers' terms come on top.
      let squares = 0;
      for (let k = 0; k < g.length; k++) squares += g[k] * g[k];
      gradNorm = Math.sqrt(squares);
      addRegularizerTerms({
        regs: this.regs,
        layout: this.layout,
        gradient: g,
        gradNorm,
        parameters: this.parameters,
        initial: this.initialValues,
        sortedInitial: this.sortedInitial,
        normals: this.noise,
        update: this.updateCount,
        scratch: this.scratch,
      });
    }
    const theta = this.parameters;
    // In JS without shrink & perturb the weights are final right after the optimizer touches them,
    // so the weight rows of the trace are read row by row while the row is still in cache. The
    // native kernels update everything in one call and read the rows in a second, vectorised pass.
    const fused = this.native === null && this.regs.shrink === 1 && this.perturbation === null;
    this.optimizer.begin(g, theta, args.signal);
    if (fused) for (let l = 0; l < this.layers.length; l++) this.updateLayer(l, stats);
    else this.optimizer.applyRange(0, theta.length);
    this.optimizer.finish(sums);
    if (gradNorm < 0) gradNorm = Math.sqrt(sums[0]);
    const updateNorm = Math.sqrt(sums[1]);
    if (!fused) {
      applyShrinkAndPerturb(this.regs, theta, this.perturbation);
      this.writeWeightRows(stats);
    }
    this.updateCount += 1;
    const traces = this.hiddenLayers.map((h, l) => makeLayerTrace(h.index, h.name, h.units, stats[l]));
    return { network: this.name, step: this.updateCount, batchSize, loss: value, gradNorm, updateNorm, layers: traces };
  }

  /** Batch-mean loss and its gradient per parameter (contract layout), without updating anything. */
  gradients(input: Float32Array, batchSize: number, loss: OutputLoss): { loss: number; gradients: Record<string, Float32Array> } {
    this.checkBatch(input, batchSize);
    this.forward(input, batchSize, false);
    const value = this.callOutputLoss(loss, batchSize);
    this.backward(input, batchSize, false, true);
    return { loss: value, gradients: this.layout.toRecord(this.gradient) };
  }

  parameterGradient(input: Float32Array, batchSize: number, loss: OutputLoss): { loss: number; gradient: Float32Array } {
    const { loss: value, gradients } = this.gradients(input, batchSize, loss);
    const gradient = new Float32Array(this.layout.size);
    let offset = 0;
    for (const slot of this.layout.slots) {
      gradient.set(gradients[slot.name], offset);
      offset += slot.size;
    }
    return { loss: value, gradient };
  }

  outputGxd(input: Float32Array, batchSize: number, references?: ReadonlyArray<Float32Array | null>): Float32Array[] {
    this.checkBatch(input, batchSize);
    if (this.hiddenLayers.length === 0) return [];
    const reference = this.referenceVector(references);
    this.forward(input, batchSize, false);
    // F = Σ_x v_x·f(x): ∂F/∂f is v itself, and ∂F/∂a(x) is sample x's own v_x·∂f(x)/∂a(x).
    const out = this.layers[this.layers.length - 1].da;
    for (let k = 0; k < batchSize * this.spec.outputSize; k++) out[k] = this.rng.normal();
    this.backward(input, batchSize, false, false);
    return this.hiddenLayers.map((h, l) => {
      const { a, da } = this.layers[l];
      const r = reference?.[l] ?? null;
      const u = new Float32Array(h.units);
      for (let b = 0; b < batchSize; b++) {
        for (let i = 0; i < h.units; i++) {
          const k = b * h.units + i;
          const c = da[k] * (r === null ? a[k] : a[k] - r[i]);
          u[i] += c * c;
        }
      }
      for (let i = 0; i < h.units; i++) u[i] = Math.sqrt(u[i] / batchSize);
      return u;
    });
  }

  reinitializeUnits(layer: number, units: ArrayLike<number>, options: ReinitializeOptions = {}): void {
    this.assertAlive();
    const plan = planSurgery({
      layout: this.layout,
      hiddenCount: this.hiddenLayers.length,
      layer,
      units,
      options,
      initializers: this.plans.map((p) => p.init),
      rng: this.rng,
    });
    if (units.length === 0) return;
    const theta = this.parameters;
    // Bias transfer b_{l+1} += ā·W_{l+1}[:, i] from the weights before the outgoing column changes.
    if (plan.transfer) {
      const next = this.layers[layer + 1];
      for (let i = 0; i < next.fanIn; i++) {
        const t = plan.transfer[i];
        if (t === 0) continue;
        for (let o = 0; o < next.fanOut; o++) next.bias[o] += t * next.kernel[i * next.fanOut + o];
      }
    }
    const { indices, values } = plan;
    for (let k = 0; k < indices.length; k++) theta[indices[k]] = values[k];
    this.optimizer.resetUnits(layer, units, indices);
  }

  layerWeights(): LayerWeights[] {
    this.assertAlive();
    return this.layout.layerWeights(this.parameters);
  }

  initialLayerWeights(): LayerWeights[] {
    return this.layout.layerWeights(this.initialValues);
  }

  state(): NetworkState {
    this.assertAlive();
    return buildNetworkState({
      spec: this.spec,
      layout: this.layout,
      parameters: this.parameters,
      initialParameters: this.initialValues,
      optimizerConfig: this.optimizer.config,
      regularizers: this.regularizerConfig,
      optimizerSlots: this.optimizer.slots(),
      rng: this.rng,
      updates: this.updateCount,
    });
  }

  restore(state: NetworkState): void {
    this.assertAlive();
    const { parameters, initialParameters: initial, snapshot } = readNetworkState(this.layout, this.spec, state);
    resolveRegularizers(snapshot.regularizers);
    const optimizer = createTypedOptimizer(snapshot.config, this.layout.size, this.native, resetBlocks(this.layout));
    optimizer.restoreSlots(snapshot.slots);
    this.optimizer = optimizer;
    this.initialValues = initial;
    this.setRegularizers(snapshot.regularizers);
    this.parameters.set(parameters);
    this.rng.restore(state.rng);
    this.updateCount = state.updates;
  }

  clone(): TypedNetwork {
    this.assertAlive();
    return new TypedNetwork(this.spec, { optimizer: this.optimizer.config, regularizers: this.regularizerConfig, blas: this.blasOption, blasThreshold: this.matmul.blasThreshold, nativeKernels: this.nativeOption }, this);
  }

  /** In place: flat copies into this network's arrays (no allocation when the optimizers are of one kind). */
  copyFrom(source: Network): void {
    this.assertAlive();
    assertSameSpec(this.spec, source.spec);
    if (!(source instanceof TypedNetwork) || !this.optimizer.copyFrom(source.optimizer)) {
      this.restore(source.state());
      return;
    }
    this.parameters.set(source.parameters);
    this.initialValues.set(source.initialValues);
    if (JSON.stringify(this.regularizerConfig) !== JSON.stringify(source.regularizerConfig)) this.setRegularizers(source.regularizerConfig);
    else if (source.sortedInitial !== null) this.sortedInitial = source.sortedInitial.slice();
    this.rng.restore(source.rng.state());
    this.updateCount = source.updateCount;
  }

  dispose(): void {
    this.disposed = true;
  }

  // ---- internals ----

  /** Rows 7 and 8 of every hidden layer's trace from the current kernels (native or JS, same sums but row 7's order). */
  private writeWeightRows(stats: Float32Array[]): void {
    for (let l = 0; l < this.layers.length; l++) {
      const { kernel, fanIn, fanOut } = this.layers[l];
      const incoming = l < this.hiddenLayers.length ? stats[l].subarray(8 * fanOut, 9 * fanOut) : null;
      const outgoing = l > 0 ? stats[l - 1].subarray(7 * fanIn, 8 * fanIn) : null;
      if (this.native !== null && fanIn * fanOut >= NATIVE_MIN_WEIGHTS) this.native.weightRows(fanIn, fanOut, kernel, this.columnScratch, incoming, outgoing);
      else weightRows(kernel, fanIn, fanOut, this.columnScratch, incoming, outgoing);
    }
  }

  /**
   * The optimizer step over one layer's parameters. With `stats`, the weight rows of the StepTrace
   * (mean |W| per unit: incoming for this layer's units, outgoing for the previous layer's) are
   * accumulated from each kernel row right after its update.
   */
  private updateLayer(l: number, stats: Float32Array[] | null): void {
    const optimizer = this.optimizer;
    const slots = this.layout.layers[l];
    const { offset, fanIn, fanOut } = slots.weight;
    const hidden = this.hiddenLayers.length;
    if (stats === null) {
      optimizer.applyRange(offset, offset + fanIn * fanOut);
    } else {
      const theta = this.parameters;
      const incoming = l < hidden ? this.columnScratch : null;
      if (incoming) incoming.fill(0, 0, fanOut);
      const outgoing = l > 0 ? stats[l - 1] : null;
      const outgoingBase = 7 * fanIn;
      for (let j = 0; j < fanIn; j++) {
        const start = offset + j * fanOut;
        optimizer.applyRange(start, start + fanOut);
        let row = 0;
        if (incoming) {
          for (let i = 0; i < fanOut; i++) {
            const w = Math.abs(theta[start + i]);
            row += w;
            incoming[i] += w;
          }
        } else {
          for (let i = 0; i < fanOut; i++) row += Math.abs(theta[start + i]);
        }
        if (outgoing) outgoing[outgoingBase + j] = row / fanOut;
      }
      if (incoming) {
        const out = stats[l];
        const base = 8 * fanOut;
        for (let i = 0; i < fanOut; i++) out[base + i] = incoming[i] / fanIn;
      }
    }
    optimizer.applyRange(slots.bias.offset, slots.bias.offset + slots.bias.size);
    if (slots.layerNormGain) optimizer.applyRange(slots.layerNormGain.offset, slots.layerNormGain.offset + slots.layerNormGain.size);
    if (slots.layerNormBias) optimizer.applyRange(slots.layerNormBias.offset, slots.layerNormBias.offset + slots.layerNormBias.size);
  }

  /** Forward pass over `batch` rows; with `training`, hidden outputs are multiplied by the drawn dropout masks. */
  private forward(input: Float32Array, batch: number, training: boolean): void {
    let x = input;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l];
      const { fanIn, fanOut, z, y, bias } = layer;
      const count = batch * fanOut;
      this.matmul.nn(batch, fanOut, fanIn, x, layer.kernel, z);
      const code = FORWARD_CODES[layer.plan.activation];
      if (this.native !== null && !layer.gain && code !== undefined && count >= NATIVE_MIN_ELEMENTS) {
        this.native.biasActivate(code, batch, fanOut, z, bias, layer.a);
      } else {
        for (let b = 0; b < batch; b++) {
          const row = b * fanOut;
          for (let i = 0; i < fanOut; i++) z[row + i] += bias[i];
        }
        if (layer.gain) layerNormForward(layer, batch);
        activateInto(layer.plan.activation, y, layer.a, count);
      }
      if (l === this.layers.length - 1) return;
      if (training && layer.mask) {
        const { a, mask, dropped } = layer;
        for (let k = 0; k < count; k++) dropped![k] = a[k] * mask[k];
        x = dropped!;
      } else {
        x = layer.a;
      }
    }
  }

  /**
   * Backward pass from the output gradient in the last layer's `da`. With `training`, gradients go
   * through the dropout masks; with `parameterGradients`, the gradient vector is filled; with
   * `stats`, each hidden layer's activation rows 0..6 of the StepTrace are written (from a and the
   * masked ∂L/∂a, against `references`).
   */
  private backward(
    input: Float32Array,
    batch: number,
    training: boolean,
    parameterGradients: boolean,
    stats: Float32Array[] | null = null,
    references: ReadonlyArray<Float32Array | null> | null = null,
  ): void {
    const last = this.layers.length - 1;
    for (let l = last; l >= 0; l--) {
      const layer = this.layers[l];
      const { fanIn, fanOut, da } = layer;
      const count = batch * fanOut;
      const mask = training ? layer.mask : null;
      const dz = layer.dz;
      if (l < last && !parameterGradients && l === 0) {
        if (mask) for (let k = 0; k < count; k++) da[k] *= mask[k];
        return;
      }
      const dBias = parameterGradients ? layer.dBias : null;
      const layerStats = l < last && stats !== null ? stats[l] : null;
      const reference = layerStats !== null ? (references?.[l] ?? null) : null;
      const code = BACKWARD_CODES[layer.plan.activation];
      if (l < last && !layer.gain && this.native !== null && code !== undefined && count >= NATIVE_MIN_ELEMENTS) {
        this.native.backwardHidden(code, batch, fanOut, layer.y, layer.a, da, dz, mask, dBias, layerStats, reference, this.columnScratch);
      } else if (l < last && !layer.gain) {
        backwardHidden(layer.plan.activation, batch, fanOut, layer.y, layer.a, da, dz, mask, dBias, layerStats, reference, this.columnScratch);
      } else {
        if (mask) for (let k = 0; k < count; k++) da[k] *= mask[k];
        activationBackward(layer.plan.activation, layer.y, layer.a, da, dz, count);
        if (layer.gain) layerNormBackward(layer, batch, parameterGradients);
        if (dBias !== null) biasGradient(dz, batch, fanOut, dBias);
        if (layerStats !== null) activationRows(layer.a, da, reference, batch, fanOut, layerStats, this.columnScratch);
      }
      if (parameterGradients) {
        const x = l === 0 ? input : training && this.layers[l - 1].mask ? this.layers[l - 1].dropped! : this.layers[l - 1].a;
        this.matmul.tn(fanIn, fanOut, batch, x, dz, layer.dKernel);
      }
      if (l > 0) this.matmul.nt(batch, fanIn, fanOut, dz, layer.kernel, this.layers[l - 1].da);
    }
  }

  private callOutputLoss(loss: OutputLoss, batch: number): number {
    if (batch !== this.viewBatch) {
      const last = this.layers[this.layers.length - 1];
      const count = batch * this.spec.outputSize;
      this.outputView = last.a.subarray(0, count);
      this.outputGradientView = last.da.subarray(0, count);
      this.viewBatch = batch;
    }
    this.outputGradientView.fill(0);
    return callLoss(loss, this.outputView, batch, this.outputGradientView);
  }

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const capacity = Math.max(batch, this.capacity * 2);
    for (const layer of this.layers) {
      const n = capacity * layer.fanOut;
      layer.z = new Float32Array(n);
      layer.y = layer.gain ? new Float32Array(n) : layer.z;
      layer.normalised = layer.gain ? new Float32Array(n) : null;
      layer.inverseStd = layer.gain ? new Float32Array(capacity) : null;
      layer.a = new Float32Array(n);
      layer.mask = layer.plan.dropout > 0 ? new Float32Array(n) : null;
      layer.dropped = layer.plan.dropout > 0 ? new Float32Array(n) : null;
      layer.da = new Float32Array(n);
      layer.dz = new Float32Array(n);
    }
    this.capacity = capacity;
    this.viewBatch = 0;
  }

  private drawDropoutMasks(batch: number): void {
    for (let l = 0; l < this.hiddenLayers.length; l++) {
      const { plan, mask } = this.layers[l];
      if (!mask) continue;
      const scale = 1 / (1 - plan.dropout);
      const count = batch * plan.fanOut;
      for (let k = 0; k < count; k++) mask[k] = this.rng.random() < plan.dropout ? 0 : scale;
    }
  }

  private fillNormals(out: Float32Array): void {
    for (let k = 0; k < out.length; k++) out[k] = this.rng.normal();
  }

  /** Per hidden layer r (or null), checked; null when every reference is missing. */
  private referenceVector(references: ReadonlyArray<Float32Array | null> | undefined): ReadonlyArray<Float32Array | null> | null {
    if (!references || references.every((r) => r == null)) return null;
    this.hiddenLayers.forEach((layer, l) => {
      const r = references[l];
      if (r != null && r.length !== layer.units) {
        throw new PlasticdError('nn_bad_input', `references[${l}] has ${r.length} values; layer ${layer.name} has ${layer.units} units.`);
      }
    });
    return references;
  }

  private checkBatch(input: Float32Array, batchSize: number): void {
    this.assertAlive();
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new PlasticdError('nn_bad_input', `batchSize must be a positive integer, got ${batchSize}.`);
    }
    if (input.length !== batchSize * this.spec.inputSize) {
      throw new PlasticdError('nn_bad_input', `Network "${this.name}" expects ${batchSize} × ${this.spec.inputSize} = ${batchSize * this.spec.inputSize} input values, got ${input.length}.`);
    }
    this.ensureCapacity(batchSize);
  }

  private assertAlive(): void {
    if (this.disposed) throw new PlasticdError('nn_disposed', `Network "${this.name}" was disposed; create a new one or clone before disposing.`);
  }
}
