/**
 * The fixed random target network of slowly-changing regression (Dohare et al., Nature 2024,
 * arXiv 2306.13812): `shibhansh/loss-of-plasticity: lop/nets/fix_ltu_net.py` with the LTU of
 * `lop/utils/ltu.py`. m inputs → n linear-threshold units → 1 linear output; every weight and bias
 * is ±1 with probability 1/2. Unit i fires when `w_i·x + b_i > τ_i`, `τ_i = β(m+1) − S_i`,
 * `S_i = (m − Σ_j w_ij + b_i)/2` (the reference's +b_i, not Joudaki's −b_i/2). τ is rounded to
 * float32 as torch computes it; the pre-activations are small integers, exact in any precision.
 */
import type { Rng } from '../../src/util/rng.ts';

export class LtuTargetNetwork {
  /** Row-major `[numFeatures × numInputs]`, entries ±1. */
  readonly inputWeights: Float32Array;
  /** `[numFeatures]`, entries ±1. */
  readonly featureBias: Float32Array;
  /** `[numFeatures]`, entries ±1. */
  readonly outputWeights: Float32Array;
  /** ±1. */
  readonly outputBias: number;
  /** τ_i per feature. */
  readonly thresholds: Float32Array;

  constructor(
    readonly numInputs: number,
    readonly numFeatures: number,
    readonly beta: number,
    weights: { inputWeights: Float32Array; featureBias: Float32Array; outputWeights: Float32Array; outputBias: number },
  ) {
    this.inputWeights = weights.inputWeights;
    this.featureBias = weights.featureBias;
    this.outputWeights = weights.outputWeights;
    this.outputBias = weights.outputBias;
    this.thresholds = new Float32Array(numFeatures);
    const scaledInputs = Math.fround(beta * (numInputs + 1));
    for (let i = 0; i < numFeatures; i++) {
      let weightSum = 0;
      for (let j = 0; j < numInputs; j++) weightSum += this.inputWeights[i * numInputs + j];
      const negativeCount = (numInputs - weightSum + this.featureBias[i]) / 2;
      this.thresholds[i] = scaledInputs - negativeCount;
    }
  }

  /** Draws the weights in the reference's order: input weights, feature biases, output weights, output bias. */
  static sample(rng: Rng, numInputs: number, numFeatures: number, beta: number): LtuTargetNetwork {
    const sign = (): number => rng.int(2) * 2 - 1;
    const inputWeights = Float32Array.from({ length: numFeatures * numInputs }, sign);
    const featureBias = Float32Array.from({ length: numFeatures }, sign);
    const outputWeights = Float32Array.from({ length: numFeatures }, sign);
    const outputBias = sign();
    return new LtuTargetNetwork(numInputs, numFeatures, beta, { inputWeights, featureBias, outputWeights, outputBias });
  }

  /** Pre-activations `w_i·x + b_i` of input row `x[offset … offset+m)` into `out`. */
  preActivations(x: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
    const m = this.numInputs;
    for (let i = 0; i < this.numFeatures; i++) {
      let sum = this.featureBias[i];
      const row = i * m;
      for (let j = 0; j < m; j++) sum += this.inputWeights[row + j] * x[offset + j];
      out[i] = sum;
    }
    return out;
  }

  /** The output for given pre-activations: `Σ_i v_i [z_i > τ_i] + c`. */
  outputFromPreActivations(pre: ArrayLike<number>): number {
    let y = this.outputBias;
    for (let i = 0; i < this.numFeatures; i++) if (pre[i] > this.thresholds[i]) y += this.outputWeights[i];
    return y;
  }

  /** The target for one input row (allocates a scratch array; use in tests and at task starts, not per example). */
  predict(x: ArrayLike<number>, offset = 0): number {
    return this.outputFromPreActivations(this.preActivations(x, offset, new Float64Array(this.numFeatures)));
  }

  toJSON(): Record<string, unknown> {
    return {
      numInputs: this.numInputs,
      numFeatures: this.numFeatures,
      beta: this.beta,
      inputWeights: Array.from(this.inputWeights),
      featureBias: Array.from(this.featureBias),
      outputWeights: Array.from(this.outputWeights),
      outputBias: this.outputBias,
    };
  }
}
