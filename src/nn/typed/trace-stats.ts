/**
 * StepTrace statistics (types.ts TRACE_STATS) of one hidden layer from the typed engine's buffers:
 * rows 0..6 from the post-activations a and ∂L/∂a of the training pass, rows 7..8 from the updated
 * kernels. (The relu case of rows 0..6 is also fused into step-kernels.ts; both must stay in step.) Kernels are stored [fanIn × fanOut] (parameter-layout.ts).
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

/**
 * Rows 7 and 8 from one kernel [fanIn × fanOut]: `incoming[i]` = mean_j |W[j, i]| (row 8 of this
 * layer's units, summed in float64 in j order in `columns`), `outgoing[j]` = mean_i |W[j, i]| (row 7
 * of the previous layer's units). Either may be null. native/step-kernels.c weight_rows is the twin.
 */
export function weightRows(kernel: Float32Array, fanIn: number, fanOut: number, columns: Float64Array, incoming: Float32Array | null, outgoing: Float32Array | null): void {
  if (incoming !== null) columns.fill(0, 0, fanOut);
  for (let j = 0; j < fanIn; j++) {
    const row = j * fanOut;
    let s = 0;
    for (let i = 0; i < fanOut; i++) {
      const w = Math.abs(kernel[row + i]);
      s += w;
      if (incoming !== null) columns[i] += w;
    }
    if (outgoing !== null) outgoing[j] = s / fanOut;
  }
  if (incoming !== null) for (let i = 0; i < fanOut; i++) incoming[i] = columns[i] / fanIn;
}
