/**
 * StepTrace statistics (types.ts TRACE_STATS) of one hidden layer from the typed engine's buffers:
 * rows 0..6 from the post-activations a and ∂L/∂a of the training pass, rows 7..8 from the updated
 * kernels. Kernels are stored [fanIn × fanOut] (parameter-layout.ts).
 */

/**
 * `a` and `da` are [batch × units]; `da` is the gradient of the batch-mean loss, so the per-sample
 * gradient is batch·da. `reference` is r (or null for 0). `scratch` (≥ 7·units) accumulates in
 * float64. With r = 0 a sample with a = 0 (an inactive ReLU) only adds |g|, which is skipped to.
 */
export function activationRows(
  a: Float32Array,
  da: Float32Array,
  reference: Float32Array | null,
  batch: number,
  units: number,
  stats: Float32Array,
  scratch: Float64Array,
): void {
  scratch.fill(0, 0, 7 * units);
  const u2 = 2 * units;
  const u3 = 3 * units;
  const u4 = 4 * units;
  const u5 = 5 * units;
  const u6 = 6 * units;
  for (let b = 0; b < batch; b++) {
    const row = b * units;
    for (let i = 0; i < units; i++) {
      const ai = a[row + i];
      const gi = da[row + i] * batch;
      const absG = gi < 0 ? -gi : gi;
      scratch[u3 + i] += absG;
      if (ai === 0 && reference === null) continue;
      const absA = ai < 0 ? -ai : ai;
      const d = reference === null ? ai : ai - reference[i];
      const attribution = gi * d;
      scratch[i] += absA;
      scratch[units + i] += ai;
      if (ai > 0) scratch[u2 + i] += 1;
      scratch[u4 + i] += attribution < 0 ? -attribution : attribution;
      scratch[u5 + i] += attribution;
      scratch[u6 + i] += d < 0 ? -d : d;
    }
  }
  const inv = 1 / batch;
  for (let k = 0; k < 7 * units; k++) stats[k] = scratch[k] * inv;
}

/** Rows 7 (mean_k |W_next[k, i]|) and 8 (mean_j |W[i, j]|). */
export function weightRows(kernel: Float32Array, fanIn: number, nextKernel: Float32Array, nextFanOut: number, units: number, stats: Float32Array): void {
  const outgoing = 7 * units;
  const incoming = 8 * units;
  for (let i = 0; i < units; i++) {
    let s = 0;
    const row = i * nextFanOut;
    for (let o = 0; o < nextFanOut; o++) s += Math.abs(nextKernel[row + o]);
    stats[outgoing + i] = s / nextFanOut;
  }
  stats.fill(0, incoming, incoming + units);
  for (let j = 0; j < fanIn; j++) {
    const row = j * units;
    for (let i = 0; i < units; i++) stats[incoming + i] += Math.abs(kernel[row + i]);
  }
  for (let i = 0; i < units; i++) stats[incoming + i] /= fanIn;
}
