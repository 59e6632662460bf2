/**
 * PPO's losses as plain-JS `OutputLoss` functions (Schulman et al. 2017, arXiv 1707.06347): the
 * clipped surrogate for categorical and Gaussian policies and the (optionally clipped) value loss,
 * each writing its gradient with respect to the network output analytically, plus the small JS
 * optimizer for the Gaussian log-std vector. Split out of agents/ppo.ts, which reads them in order.
 */
import type { OptimizerConfig } from '../src/nn/optimizers/optimizer.ts';
import type { OutputLoss } from '../src/nn/types.ts';
import { gaussianEntropy, gaussianLogProb, logSumExp } from './distributions.ts';

/** Statistics the losses write while they run (sums over the minibatch). */
export interface LossStats {
  policyLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
  valueLoss: number;
}

// ───────────────────────────── the losses ─────────────────────────────

/** One minibatch as the losses read it; `actions` holds class indices (discrete) or action rows. */
export interface PolicyBatch {
  actions: Float32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
}

/** Per-sample clipped surrogate max(−A r, −A clip(r)) and its derivative in r (torch's tie rule gives −A inside the clip range). */
interface SurrogateTerm {
  loss: number;
  gradRatio: number;
}

function clippedSurrogate(ratio: number, advantage: number, clipCoef: number, stats: LossStats, out: SurrogateTerm): void {
  const clipped = Math.min(Math.max(ratio, 1 - clipCoef), 1 + clipCoef);
  const unclippedLoss = -advantage * ratio;
  const clippedLoss = -advantage * clipped;
  if (Math.abs(ratio - 1) > clipCoef) stats.clipFraction++;
  // Where clip(r) is the larger term it is constant in r: no gradient.
  out.loss = Math.max(unclippedLoss, clippedLoss);
  out.gradRatio = unclippedLoss >= clippedLoss ? -advantage : 0;
}

/**
 * Categorical policy loss on logits, mean_b [max(−A r, −A clip(r)) − c_H H], with
 * ∂/∂z_c = (g_r·r·(1[c = a] − p_c) + c_H·p_c·(log p_c + H)) / B, g_r the surrogate's ∂/∂r.
 */
export function categoricalPolicyLoss(batch: PolicyBatch, clipCoef: number, entropyCoef: number, stats: LossStats): OutputLoss {
  let logProbs = new Float64Array(0);
  const term: SurrogateTerm = { loss: 0, gradRatio: 0 };
  return (output, batchSize, gradient) => {
    const n = output.length / batchSize;
    if (logProbs.length !== n) logProbs = new Float64Array(n);
    let surrogateSum = 0;
    let entropySum = 0;
    for (let b = 0; b < batchSize; b++) {
      const row = b * n;
      const logZ = logSumExp(output, row, n);
      let entropy = 0;
      for (let c = 0; c < n; c++) {
        logProbs[c] = output[row + c] - logZ;
        entropy -= Math.exp(logProbs[c]) * logProbs[c];
      }
      const action = batch.actions[b];
      const logRatio = logProbs[action] - batch.oldLogProbs[b];
      const ratio = Math.exp(logRatio);
      clippedSurrogate(ratio, batch.advantages[b], clipCoef, stats, term);
      surrogateSum += term.loss;
      entropySum += entropy;
      stats.approxKl += ratio - 1 - logRatio;
      for (let c = 0; c < n; c++) {
        const p = Math.exp(logProbs[c]);
        const policyTerm = term.gradRatio * ratio * ((c === action ? 1 : 0) - p);
        gradient[row + c] = (policyTerm + entropyCoef * p * (logProbs[c] + entropy)) / batchSize;
      }
    }
    stats.policyLoss += surrogateSum;
    stats.entropy += entropySum;
    return (surrogateSum - entropyCoef * entropySum) / batchSize;
  };
}

/**
 * Gaussian policy loss on the mean rows, with a state-independent log-std: ∂/∂μ_d = g_r·r·(a_d − μ_d)/σ_d² / B.
 * The loss's log-std gradient, Σ_b g_r·r·((a − μ)²/σ² − 1)/B − c_H, is written into `logStdGradient`
 * (the entropy Σ_d (½ + ½ log 2π + log σ_d) does not depend on the mean).
 */
export function gaussianPolicyLoss(batch: PolicyBatch, logStd: Float64Array, logStdGradient: Float64Array, clipCoef: number, entropyCoef: number, stats: LossStats): OutputLoss {
  const dimensions = logStd.length;
  const term: SurrogateTerm = { loss: 0, gradRatio: 0 };
  return (output, batchSize, gradient) => {
    logStdGradient.fill(0);
    let surrogateSum = 0;
    for (let b = 0; b < batchSize; b++) {
      const row = b * dimensions;
      const logRatio = gaussianLogProb(batch.actions, row, output, row, logStd, dimensions) - batch.oldLogProbs[b];
      const ratio = Math.exp(logRatio);
      clippedSurrogate(ratio, batch.advantages[b], clipCoef, stats, term);
      surrogateSum += term.loss;
      stats.approxKl += ratio - 1 - logRatio;
      const scale = (term.gradRatio * ratio) / batchSize;
      for (let d = 0; d < dimensions; d++) {
        const inverseStd = Math.exp(-logStd[d]);
        const z = (batch.actions[row + d] - output[row + d]) * inverseStd;
        gradient[row + d] = scale * z * inverseStd;
        logStdGradient[d] += scale * (z * z - 1);
      }
    }
    for (let d = 0; d < dimensions; d++) logStdGradient[d] -= entropyCoef;
    const entropy = gaussianEntropy(logStd, dimensions);
    stats.policyLoss += surrogateSum;
    stats.entropy += batchSize * entropy;
    return surrogateSum / batchSize - entropyCoef * entropy;
  };
}

/** Value loss c_V · mean_b ½·max((v − R)², (clip(v, v_old ± ε) − R)²) (or unclipped); ∂/∂v = c_V (v − R)/B where the unclipped term is active. */
export function valueLoss(returns: Float32Array, oldValues: Float32Array, clipCoef: number | null, valueCoef: number, stats: LossStats): OutputLoss {
  return (output, batchSize, gradient) => {
    let sum = 0;
    for (let b = 0; b < batchSize; b++) {
      const error = output[b] - returns[b];
      let loss = error * error;
      let grad = error;
      if (clipCoef !== null) {
        const clippedValue = oldValues[b] + Math.min(Math.max(output[b] - oldValues[b], -clipCoef), clipCoef);
        const clippedError = clippedValue - returns[b];
        // The clipped branch has zero gradient when it is the larger one: clip(v) is then constant in v.
        if (clippedError * clippedError > loss) {
          loss = clippedError * clippedError;
          grad = 0;
        }
      }
      sum += 0.5 * loss;
      gradient[b] = (valueCoef * grad) / batchSize;
    }
    stats.valueLoss += sum / batchSize;
    return (valueCoef * sum) / batchSize;
  };
}
/** Plain-JS optimizer for the log-std vector, mirroring the networks' SGD / Adam (torch semantics). */
export class VectorOptimizer {
  readonly first: Float64Array;
  readonly second: Float64Array;
  steps = 0;
  /** The config's learning rate until someone (learning-rate annealing) changes it. */
  learningRate: number;

  constructor(
    private readonly config: OptimizerConfig,
    size: number,
  ) {
    this.first = new Float64Array(size);
    this.second = new Float64Array(size);
    this.learningRate = config.learningRate;
  }

  /** θ ← θ − step(gradient). */
  step(parameters: Float64Array, gradient: Float64Array): void {
    const c = this.config;
    this.steps++;
    if (c.kind === 'adam') {
      const beta1 = c.beta1 ?? 0.9;
      const beta2 = c.beta2 ?? 0.999;
      const epsilon = c.epsilon ?? 1e-8;
      const correction1 = 1 - beta1 ** this.steps;
      const correction2 = 1 - beta2 ** this.steps;
      for (let i = 0; i < parameters.length; i++) {
        const g = gradient[i] + (c.decoupledWeightDecay ? 0 : (c.weightDecay ?? 0) * parameters[i]);
        this.first[i] = beta1 * this.first[i] + (1 - beta1) * g;
        this.second[i] = beta2 * this.second[i] + (1 - beta2) * g * g;
        const update = (this.first[i] / correction1) / (Math.sqrt(this.second[i] / correction2) + epsilon);
        parameters[i] -= this.learningRate * (update + (c.decoupledWeightDecay ? (c.weightDecay ?? 0) * parameters[i] : 0));
      }
    } else if (c.kind === 'sgd') {
      const momentum = c.momentum ?? 0;
      for (let i = 0; i < parameters.length; i++) {
        const g = gradient[i] + (c.weightDecay ?? 0) * parameters[i];
        this.first[i] = this.steps === 1 ? g : momentum * this.first[i] + g;
        parameters[i] -= this.learningRate * (momentum > 0 ? this.first[i] : g);
      }
    }
  }

  state(): { first: Float64Array; second: Float64Array; steps: number } {
    return { first: this.first.slice(), second: this.second.slice(), steps: this.steps };
  }

  restore(state: { first: Float64Array; second: Float64Array; steps: number }): void {
    this.first.set(state.first);
    this.second.set(state.second);
    this.steps = state.steps;
  }
}
