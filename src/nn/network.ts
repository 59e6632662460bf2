/**
 * The dense network behind every agent (DESIGN.md "Network"): named dense layers with optional
 * LayerNorm and dropout, a training step whose forward/backward pass also yields the per-unit
 * StepTrace (the hand-written backward pass of backprop.ts gives ∂ℓ/∂a of every hidden layer along
 * with the parameter gradients; one readback per step), per-element optimizers,
 * regularizers, and unit surgery. All parameters live in ONE flat tensor (layout: parameter-layout.ts)
 * so the optimizer, regularizers and surgery are a handful of ops whatever the depth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng.ts';
import { PlasticdError } from '../util/errors.ts';
import { registerGradients } from './backend.ts';
import { drawInitialParameters } from './initializers.ts';
import { backwardPass, forwardPass, type LayerParameters } from './backprop.ts';
import { createOptimizer } from './optimizers/index.ts';
import { checkObgdRegularizers } from './optimizers/obgd.ts';
import { DEFAULT_OPTIMIZER, type Optimizer, type OptimizerConfig } from './optimizers/optimizer.ts';
import { callLoss } from './losses.ts';
import { ParameterLayout } from './parameter-layout.ts';
import {
  needsInitialParameters,
  regularizedGradient,
  resolveRegularizers,
  shrinkAndPerturb,
  sortedInitialParameters,
  type RegularizerConfig,
  type ResolvedRegularizers,
} from './regularizers.ts';
import { planLayers, type LayerPlan } from './spec.ts';
import { assertSameSpec, buildNetworkState, readNetworkState } from './state.ts';
import { denseSurgery, planSurgery } from './surgery.ts';
import { activationStatistics, decodeTrace, packTrace, weightStatistics } from './trace.ts';
import type {
  HiddenLayerInfo,
  LayerWeights,
  Network,
  NetworkSpec,
  NetworkState,
  OutputLoss,
  ReinitializeOptions,
  StepTrace,
  TrainStepInput,
} from './types.ts';

export interface NetworkOptions {
  /** Default Adam, learning rate 1e-3. */
  optimizer?: OptimizerConfig;
  /** Default none. */
  regularizers?: RegularizerConfig;
}

interface SlotIndex {
  weight: number;
  bias: number;
  gain: number;
  shift: number;
}

/** The TensorFlow.js engine; `createNetwork` (create-network.ts) chooses between engines. */
export function createTfjsNetwork(spec: NetworkSpec, options: NetworkOptions = {}): DenseNetwork {
  return new DenseNetwork(spec, options);
}

export class DenseNetwork implements Network {
  readonly name: string;
  readonly spec: NetworkSpec;
  readonly hiddenLayers: readonly HiddenLayerInfo[];
  private readonly plans: LayerPlan[];
  private readonly layout: ParameterLayout;
  private readonly slotIndex: SlotIndex[];
  private readonly rng: Rng;
  private optimizer: Optimizer;
  private regularizerConfig: RegularizerConfig = {};
  private regs!: ResolvedRegularizers;
  private parameters: tf.Tensor1D | null = null;
  /** Per layout slot, a view of `parameters` in the internal shape. */
  private views: tf.Tensor[] = [];
  private initialValues: Float32Array;
  private initialTensor: tf.Tensor1D | null = null;
  private sortedInitialTensor: tf.Tensor1D | null = null;
  private updateCount = 0;
  private disposed = false;

  constructor(spec: NetworkSpec, options: NetworkOptions = {}) {
    registerGradients(); // tfjs-core's Node bundle ships none; idempotent
    this.plans = planLayers(spec);
    this.spec = structuredClone(spec);
    this.name = spec.name;
    this.hiddenLayers = this.plans.slice(0, -1).map((p) => ({ index: p.index, name: p.name, units: p.fanOut, activation: p.activation }));
    this.layout = new ParameterLayout(this.plans.map((p) => ({ name: p.name, fanIn: p.fanIn, fanOut: p.fanOut, layerNorm: p.layerNorm })));
    this.slotIndex = this.layout.layers.map((layer) => ({
      weight: this.layout.slots.indexOf(layer.weight),
      bias: this.layout.slots.indexOf(layer.bias),
      gain: layer.layerNormGain ? this.layout.slots.indexOf(layer.layerNormGain) : -1,
      shift: layer.layerNormBias ? this.layout.slots.indexOf(layer.layerNormBias) : -1,
    }));
    this.rng = new Rng(spec.seed);
    this.initialValues = drawInitialParameters(this.plans, this.layout, this.rng);
    this.optimizer = createOptimizer(options.optimizer ?? DEFAULT_OPTIMIZER, this.layout.size);
    this.setRegularizers(options.regularizers ?? {});
    this.setParameters(tf.tensor1d(this.initialValues));
  }

  get updates(): number {
    return this.updateCount;
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    return this.layout.size;
  }

  get optimizerConfig(): Readonly<OptimizerConfig> {
    return this.optimizer.config;
  }

  get regularizers(): Readonly<RegularizerConfig> {
    return this.regularizerConfig;
  }

  setLearningRate(learningRate: number): void {
    this.optimizer.setLearningRate(learningRate);
  }

  resetEligibilityTraces(): void {
    this.assertAlive();
    this.optimizer.resetEligibilityTraces?.();
  }

  setRegularizers(config: RegularizerConfig): void {
    checkObgdRegularizers(this.optimizer.config.kind, config);
    this.regs = resolveRegularizers(config);
    this.regularizerConfig = structuredClone(config);
    if (!needsInitialParameters(this.regs)) this.dropInitialTensors();
  }

  predict(input: Float32Array, batchSize: number): Float32Array {
    this.checkBatch(input, batchSize);
    const output = tf.tidy(() => forwardPass(this.layerParameters(), tf.tensor2d(input, [batchSize, this.spec.inputSize])).output);
    const data = output.dataSync() as Float32Array;
    output.dispose();
    return data;
  }

  forwardWithActivations(input: Float32Array, batchSize: number): { output: Float32Array; activations: Float32Array[] } {
    this.checkBatch(input, batchSize);
    const packed = tf.tidy(() => {
      const { output, activations } = forwardPass(this.layerParameters(), tf.tensor2d(input, [batchSize, this.spec.inputSize]));
      return tf.concat([output, ...activations].map((t) => tf.reshape(t, [-1])));
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    let offset = batchSize * this.spec.outputSize;
    const activations = this.hiddenLayers.map((layer) => data.slice(offset, (offset += batchSize * layer.units)));
    return { output: data.slice(0, batchSize * this.spec.outputSize), activations };
  }

  evaluateLoss(input: Float32Array, batchSize: number, loss: OutputLoss): number {
    const output = this.predict(input, batchSize);
    return callLoss(loss, output, batchSize, new Float32Array(output.length));
  }

  trainStep(args: TrainStepInput): StepTrace {
    const { input, batchSize, loss, signal } = args;
    this.checkBatch(input, batchSize);
    const references = this.referenceVector(args.references);
    const dropout = this.drawDropoutMasks(batchSize);
    const size = this.layout.size;
    const gradientNoise = this.regs.noiseScale > 0 ? this.normals(size) : null;
    const perturbation = this.regs.perturbStd > 0 ? this.normals(size) : null;
    const packed = tf.tidy(() => {
      const layers = this.layerParameters();
      const masks = dropout.map((mask, l) => (mask ? tf.tensor2d(mask, [batchSize, this.hiddenLayers[l].units]) : null));
      const forward = forwardPass(layers, tf.tensor2d(input, [batchSize, this.spec.inputSize]), masks);
      const { value, gradient: outputGradient } = this.lossAndGradient(loss, forward.output, batchSize);
      const backward = backwardPass(layers, forward, outputGradient, { dropout: masks, parameterGradients: true });
      const gradient = tf.concat(backward.parameterGradients.flat().map((g) => (g.rank === 1 ? g : tf.reshape(g, [-1])))) as tf.Tensor1D;
      const gradNorm = tf.sqrt(tf.sum(tf.square(gradient))) as tf.Scalar; // tf.norm goes through pow, slow on cpu
      const parameters = this.parameters!;
      const total = regularizedGradient({
        regs: this.regs,
        layout: this.layout,
        gradient,
        gradNorm,
        parameters,
        initial: this.initialParameterTensor(),
        sortedInitial: this.sortedInitialParameterTensor(),
        normals: gradientNoise,
        update: this.updateCount,
      });
      const delta = this.optimizer.step(total, parameters, signal);
      const updateNorm = tf.sqrt(tf.sum(tf.square(delta))) as tf.Scalar;
      this.setParameters(shrinkAndPerturb(this.regs, tf.sub(parameters, delta), perturbation));
      this.updateCount += 1;
      if (this.hiddenLayers.length === 0) return packTrace(value, gradNorm, updateNorm, null, []);
      // The loss is the batch mean, so the per-sample gradient is batchSize × ∂L/∂a.
      const perSample = backward.activationGradients.map((g) => tf.mul(g, batchSize) as tf.Tensor2D);
      const activationRows = activationStatistics(forward.activations, perSample, references ? tf.tensor1d(references) : null);
      const weightRows = weightStatistics(this.plans.map((plan) => this.kernel(plan.index)));
      return packTrace(value, gradNorm, updateNorm, activationRows, weightRows);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    return decodeTrace(data, this.name, this.updateCount, batchSize, this.hiddenLayers);
  }

  /** Batch-mean loss and its gradient per parameter (contract layout), without updating anything. */
  gradients(input: Float32Array, batchSize: number, loss: OutputLoss): { loss: number; gradients: Record<string, Float32Array> } {
    this.checkBatch(input, batchSize);
    const packed = tf.tidy(() => {
      const layers = this.layerParameters();
      const forward = forwardPass(layers, tf.tensor2d(input, [batchSize, this.spec.inputSize]));
      const { value, gradient } = this.lossAndGradient(loss, forward.output, batchSize);
      const backward = backwardPass(layers, forward, gradient, { parameterGradients: true });
      return tf.concat([tf.reshape(value, [1]), ...backward.parameterGradients.flat().map((g) => tf.reshape(g, [-1]))]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    return { loss: data[0], gradients: this.layout.toRecord(data.subarray(1)) };
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
    const directions = this.normals(batchSize * this.spec.outputSize);
    const packed = tf.tidy(() => {
      const layers = this.layerParameters();
      const forward = forwardPass(layers, tf.tensor2d(input, [batchSize, this.spec.inputSize]));
      // F = Σ_x v_x·f(x): ∂F/∂f is v itself, and ∂F/∂a(x) is sample x's own v_x·∂f(x)/∂a(x).
      const v = tf.tensor2d(directions, [batchSize, this.spec.outputSize]);
      const { activationGradients } = backwardPass(layers, forward, v, { parameterGradients: false });
      const a = tf.concat(forward.activations, 1);
      const g = tf.concat(activationGradients, 1);
      const difference = reference ? tf.sub(a, tf.tensor1d(reference)) : a;
      return tf.sqrt(tf.mean(tf.square(tf.mul(g, difference)), 0));
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    let offset = 0;
    return this.hiddenLayers.map((layer) => data.slice(offset, (offset += layer.units)));
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
    const dense = denseSurgery(plan, this.layout.size);
    tf.tidy(() => {
      const keep = tf.sub(1, tf.tensor1d(dense.mask)) as tf.Tensor1D;
      let next = tf.add(tf.mul(this.parameters!, keep), tf.tensor1d(dense.values));
      if (plan.transfer) {
        const nextBias = this.layout.layers[layer + 1].bias;
        const shift = tf.matMul(tf.tensor2d(plan.transfer, [1, plan.transfer.length]), this.kernel(layer + 1));
        const after = this.layout.size - nextBias.offset - nextBias.size;
        next = tf.add(next, tf.pad(tf.reshape(shift, [-1]), [[nextBias.offset, after]]));
      }
      this.setParameters(next as tf.Tensor1D);
      this.optimizer.resetEntries(keep);
    });
  }

  layerWeights(): LayerWeights[] {
    return this.layout.layerWeights(this.parameterValues());
  }

  initialLayerWeights(): LayerWeights[] {
    return this.layout.layerWeights(this.initialValues);
  }

  state(): NetworkState {
    return buildNetworkState({
      spec: this.spec,
      layout: this.layout,
      parameters: this.parameterValues(),
      initialParameters: this.initialValues,
      optimizerConfig: this.optimizer.config,
      regularizers: this.regularizerConfig,
      optimizerSlots: this.optimizer.slots(),
      rng: this.rng,
      updates: this.updateCount,
    });
  }

  /** Restores a state from a network of the same architecture; this network keeps its own spec otherwise. */
  restore(state: NetworkState): void {
    this.assertAlive();
    const { parameters, initialParameters: initial, snapshot } = readNetworkState(this.layout, this.spec, state);
    const regs = resolveRegularizers(snapshot.regularizers);
    const optimizer = createOptimizer(snapshot.config, this.layout.size);
    try {
      optimizer.restoreSlots(snapshot.slots);
    } catch (error) {
      optimizer.dispose();
      throw error;
    }
    this.optimizer.dispose();
    this.optimizer = optimizer;
    this.regs = regs;
    this.regularizerConfig = snapshot.regularizers;
    this.initialValues = initial;
    this.dropInitialTensors();
    this.setParameters(tf.tensor1d(parameters));
    this.rng.restore(state.rng);
    this.updateCount = state.updates;
  }

  clone(): DenseNetwork {
    this.assertAlive();
    const copy = new DenseNetwork(this.spec, { optimizer: this.optimizer.config, regularizers: this.regularizerConfig });
    copy.restore(this.state());
    return copy;
  }

  copyFrom(source: Network): void {
    this.assertAlive();
    assertSameSpec(this.spec, source.spec);
    this.restore(source.state());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parameters?.dispose();
    for (const view of this.views) view.dispose();
    this.views = [];
    this.parameters = null;
    this.dropInitialTensors();
    this.optimizer.dispose();
  }

  // ---- internals ----

  private layerParameters(): LayerParameters[] {
    return this.plans.map((plan) => {
      const index = this.slotIndex[plan.index];
      const layer: LayerParameters = { kernel: this.views[index.weight] as tf.Tensor2D, bias: this.views[index.bias], activation: plan.activation };
      if (index.gain >= 0) {
        layer.gain = this.views[index.gain];
        layer.shift = this.views[index.shift];
      }
      return layer;
    });
  }

  /**
   * The batch-mean loss and ∂L/∂output: the output is read back (the step's one mid-pass sync), the
   * plain-JS loss fills the gradient, which is uploaded for the hand-written backward pass.
   */
  private lossAndGradient(loss: OutputLoss, output: tf.Tensor2D, batchSize: number): { value: tf.Scalar; gradient: tf.Tensor2D } {
    const values = output.dataSync() as Float32Array;
    const gradient = new Float32Array(values.length);
    const value = callLoss(loss, values, batchSize, gradient);
    return { value: tf.scalar(value), gradient: tf.tensor2d(gradient, output.shape) };
  }

  private kernel(layer: number): tf.Tensor2D {
    return this.views[this.slotIndex[layer].weight] as tf.Tensor2D;
  }

  /** Takes ownership of `next` (kept beyond the current tidy) and rebuilds the per-slot views. */
  private setParameters(next: tf.Tensor1D): void {
    tf.keep(next);
    const previous = this.parameters;
    const previousViews = this.views;
    this.parameters = next;
    this.views = tf.tidy(() => {
      const parts = this.layout.slots.length === 1 ? [next] : tf.split(next, this.layout.slots.map((s) => s.size));
      return parts.map((part, k) => tf.keep(this.layout.slots[k].shape.length === 1 ? part : tf.reshape(part, this.layout.slots[k].shape)));
    });
    if (previous !== next) previous?.dispose();
    for (const view of previousViews) view.dispose();
  }

  private parameterValues(): Float32Array {
    this.assertAlive();
    return this.parameters!.dataSync() as Float32Array;
  }

  private initialParameterTensor(): tf.Tensor1D | null {
    if (!needsInitialParameters(this.regs)) return null;
    if (!this.initialTensor) this.initialTensor = tf.keep(tf.tensor1d(this.initialValues));
    return this.initialTensor;
  }

  private sortedInitialParameterTensor(): tf.Tensor1D | null {
    if (this.regs.wasserstein <= 0) return null;
    if (!this.sortedInitialTensor) this.sortedInitialTensor = tf.keep(sortedInitialParameters(this.layout, this.initialValues));
    return this.sortedInitialTensor;
  }

  private dropInitialTensors(): void {
    this.initialTensor?.dispose();
    this.sortedInitialTensor?.dispose();
    this.initialTensor = null;
    this.sortedInitialTensor = null;
  }

  private drawDropoutMasks(batchSize: number): (Float32Array | null)[] {
    return this.plans.slice(0, -1).map((plan) => {
      if (plan.dropout <= 0) return null;
      const scale = 1 / (1 - plan.dropout);
      const mask = new Float32Array(batchSize * plan.fanOut);
      for (let k = 0; k < mask.length; k++) mask[k] = this.rng.random() < plan.dropout ? 0 : scale;
      return mask;
    });
  }

  private normals(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) out[k] = this.rng.normal();
    return out;
  }

  private referenceVector(references: ReadonlyArray<Float32Array | null> | undefined): Float32Array | null {
    if (!references || references.every((r) => r == null)) return null;
    const total = this.hiddenLayers.reduce((sum, layer) => sum + layer.units, 0);
    const out = new Float32Array(total);
    let offset = 0;
    this.hiddenLayers.forEach((layer, l) => {
      const r = references[l];
      if (r != null) {
        if (r.length !== layer.units) {
          throw new PlasticdError('nn_bad_input', `references[${l}] has ${r.length} values; layer ${layer.name} has ${layer.units} units.`);
        }
        out.set(r, offset);
      }
      offset += layer.units;
    });
    return out;
  }

  private checkBatch(input: Float32Array, batchSize: number): void {
    this.assertAlive();
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new PlasticdError('nn_bad_input', `batchSize must be a positive integer, got ${batchSize}.`);
    }
    if (input.length !== batchSize * this.spec.inputSize) {
      throw new PlasticdError('nn_bad_input', `Network "${this.name}" expects ${batchSize} × ${this.spec.inputSize} = ${batchSize * this.spec.inputSize} input values, got ${input.length}.`);
    }
  }

  private assertAlive(): void {
    if (this.disposed) throw new PlasticdError('nn_disposed', `Network "${this.name}" was disposed; create a new one or clone before disposing.`);
  }
}

