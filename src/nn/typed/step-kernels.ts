/**
 * The JS twins of the native element-wise kernels (native/step-kernels.c): the hidden-layer backward
 * step (dropout mask, activation derivative, bias gradient, StepTrace activation rows) with the
 * exact arithmetic of the C code, so either path gives bit-identical results. relu, the common case,
 * runs as one fused loop; the other activations reuse activations.ts and trace-stats.ts pass by pass.
 */
import type { Activation } from '../types.ts';
import { activationBackward } from './activations.ts';
import { activationRows } from './trace-stats.ts';

/**
 * da ← da·mask (with a mask), dz ← da·φ'(y, a), dBias ← Σ_rows dz (with dBias), and with `stats` the
 * activation rows 0..6 of the StepTrace from a and the masked da (scratch ≥ 7n float64).
 */
export function backwardHidden(
  activation: Activation,
  batch: number,
  n: number,
  y: Float32Array,
  a: Float32Array,
  da: Float32Array,
  dz: Float32Array,
  mask: Float32Array | null,
  dBias: Float32Array | null,
  stats: Float32Array | null,
  reference: Float32Array | null,
  scratch: Float64Array,
): void {
  const count = batch * n;
  if (activation === 'relu' && reference === null && stats !== null && dBias !== null) {
    reluBackwardWithStats(batch, n, a, da, dz, mask, dBias, stats, scratch);
    return;
  }
  if (mask !== null) for (let k = 0; k < count; k++) da[k] *= mask[k];
  activationBackward(activation, y, a, da, dz, count);
  if (dBias !== null) biasGradient(dz, batch, n, dBias);
  if (stats !== null) activationRows(a, da, reference, batch, n, stats, scratch);
}

/** dBias[i] = Σ_b dz[b, i], accumulated in float32 row by row. */
export function biasGradient(dz: Float32Array, batch: number, n: number, dBias: Float32Array): void {
  dBias.fill(0, 0, n);
  for (let b = 0; b < batch; b++) {
    const row = b * n;
    for (let i = 0; i < n; i++) dBias[i] += dz[row + i];
  }
}

/** The relu, r = 0 case in one pass: the same float64 sums as activationRows, in the same order. */
function reluBackwardWithStats(
  batch: number,
  n: number,
  a: Float32Array,
  da: Float32Array,
  dz: Float32Array,
  mask: Float32Array | null,
  dBias: Float32Array,
  stats: Float32Array,
  scratch: Float64Array,
): void {
  dBias.fill(0, 0, n);
  scratch.fill(0, 0, 7 * n);
  const n2 = 2 * n;
  const n3 = 3 * n;
  const n4 = 4 * n;
  const n5 = 5 * n;
  const n6 = 6 * n;
  for (let b = 0; b < batch; b++) {
    const row = b * n;
    for (let i = 0; i < n; i++) {
      const k = row + i;
      let g = da[k];
      if (mask !== null) g = da[k] = Math.fround(g * mask[k]);
      const gi = g * batch;
      scratch[n3 + i] += gi < 0 ? -gi : gi;
      const ai = a[k];
      if (ai > 0) {
        dz[k] = g;
        dBias[i] += g;
        const attribution = gi * ai;
        scratch[i] += ai;
        scratch[n + i] += ai;
        scratch[n2 + i] += 1;
        scratch[n4 + i] += attribution < 0 ? -attribution : attribution;
        scratch[n5 + i] += attribution;
        scratch[n6 + i] += ai;
      } else {
        // relu output is ≥ 0, so a ≤ 0 means a = 0: it adds nothing but |g| (activationRows skips it too).
        dz[k] = 0;
        dBias[i] += 0;
      }
    }
  }
  const inv = 1 / batch;
  for (let k = 0; k < 7 * n; k++) stats[k] = scratch[k] * inv;
}
