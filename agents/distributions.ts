/**
 * Action distributions for policy-gradient agents (PPO, streaming actor-critic): a categorical over
 * logits and a diagonal Gaussian with a state-independent log-std, as in CleanRL's `ppo.py` /
 * `ppo_continuous_action.py` (torch.distributions.Categorical / Normal). Everything works on rows
 * of a row-major batch (`offset` = row start) so callers allocate nothing per step; sums are in
 * float64. Derivatives needed by the PPO/AC losses are given next to each quantity.
 */
import type { Rng } from '../src/util/rng.ts';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log Σ_c exp(logits[offset + c]) over `n` entries, computed stably. */
export function logSumExp(logits: ArrayLike<number>, offset: number, n: number): number {
  let max = -Infinity;
  for (let c = 0; c < n; c++) if (logits[offset + c] > max) max = logits[offset + c];
  if (max === -Infinity) return -Infinity;
  let z = 0;
  for (let c = 0; c < n; c++) z += Math.exp(logits[offset + c] - max);
  return Math.log(z) + max;
}

/** Writes softmax(logits row) into `probabilities[0..n)` and returns log Z. */
export function softmaxRow(logits: ArrayLike<number>, offset: number, n: number, probabilities: Float64Array | Float32Array): number {
  const logZ = logSumExp(logits, offset, n);
  for (let c = 0; c < n; c++) probabilities[c] = Math.exp(logits[offset + c] - logZ);
  return logZ;
}

/** log π(action) for a categorical over the logits row. ∂/∂logit_c = 1[c = action] − p_c. */
export function categoricalLogProb(logits: ArrayLike<number>, offset: number, n: number, action: number): number {
  return logits[offset + action] - logSumExp(logits, offset, n);
}

/** Entropy H = −Σ p_c log p_c of the logits row. ∂H/∂logit_c = −p_c (log p_c + H). */
export function categoricalEntropy(logits: ArrayLike<number>, offset: number, n: number): number {
  const logZ = logSumExp(logits, offset, n);
  let h = 0;
  for (let c = 0; c < n; c++) {
    const logP = logits[offset + c] - logZ;
    const p = Math.exp(logP);
    if (p > 0) h -= p * logP;
  }
  return h;
}

/** Draws an index from softmax(logits row) by inverse CDF with one uniform draw. */
export function sampleCategorical(logits: ArrayLike<number>, offset: number, n: number, rng: Rng): number {
  const logZ = logSumExp(logits, offset, n);
  const u = rng.random();
  let cumulative = 0;
  for (let c = 0; c < n; c++) {
    cumulative += Math.exp(logits[offset + c] - logZ);
    if (u < cumulative) return c;
  }
  return n - 1; // rounding: the probabilities summed to slightly less than u
}

/** Index of the largest entry of a row (first on ties), e.g. the greedy action of a Q row. */
export function argmaxRow(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = values[offset];
  for (let c = 1; c < n; c++) {
    if (values[offset + c] > bestValue) {
      bestValue = values[offset + c];
      best = c;
    }
  }
  return best;
}

/**
 * log N(action | mean, exp(logStd)²) summed over the `dimensions` of one row, like torch's
 * Normal(mean, std).log_prob(a).sum(-1). Per dimension: ∂/∂mean = (a − μ)/σ²,
 * ∂/∂logStd = (a − μ)²/σ² − 1.
 */
export function gaussianLogProb(
  action: ArrayLike<number>,
  actionOffset: number,
  mean: ArrayLike<number>,
  meanOffset: number,
  logStd: ArrayLike<number>,
  dimensions: number,
): number {
  let sum = 0;
  for (let d = 0; d < dimensions; d++) {
    const z = (action[actionOffset + d] - mean[meanOffset + d]) * Math.exp(-logStd[d]);
    sum += -0.5 * z * z - logStd[d] - HALF_LOG_TWO_PI;
  }
  return sum;
}

/** Entropy of the diagonal Gaussian: Σ_d (½ + ½ log 2π + logStd_d); ∂/∂logStd_d = 1, independent of the mean. */
export function gaussianEntropy(logStd: ArrayLike<number>, dimensions: number): number {
  let sum = 0;
  for (let d = 0; d < dimensions; d++) sum += 0.5 + HALF_LOG_TWO_PI + logStd[d];
  return sum;
}

/** Writes mean + exp(logStd)·ε, ε ~ N(0, I), into `out[outOffset..]`. */
export function sampleGaussian(
  mean: ArrayLike<number>,
  meanOffset: number,
  logStd: ArrayLike<number>,
  dimensions: number,
  rng: Rng,
  out: Float32Array | Float64Array,
  outOffset = 0,
): void {
  for (let d = 0; d < dimensions; d++) out[outOffset + d] = mean[meanOffset + d] + Math.exp(logStd[d]) * rng.normal(0, 1);
}
