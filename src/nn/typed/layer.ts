/**
 * One layer of the typed-array engine: views of its parameters and gradients in the flat vectors,
 * its batch buffers, and the LayerNorm passes over them (same formulas as layer-norm.ts, in place).
 */
import { LAYER_NORM_EPSILON } from '../layer-norm.ts';
import type { LayerPlan } from '../spec.ts';

export interface Layer {
  plan: LayerPlan;
  fanIn: number;
  fanOut: number;
  /** Views of the flat parameter and gradient vectors. */
  kernel: Float32Array;
  bias: Float32Array;
  gain: Float32Array | null;
  shift: Float32Array | null;
  dKernel: Float32Array;
  dBias: Float32Array;
  dGain: Float32Array | null;
  dShift: Float32Array | null;
  /** Batch buffers, [capacity × fanOut]. z: affine output; y: after LayerNorm (= z without); a: after the activation. */
  z: Float32Array;
  y: Float32Array;
  normalised: Float32Array | null;
  inverseStd: Float32Array | null;
  a: Float32Array;
  /** Dropout multipliers and a·mask (the next layer's input); null without dropout. */
  mask: Float32Array | null;
  dropped: Float32Array | null;
  /** ∂L/∂a (after the dropout mask, for hidden layers) and ∂L/∂z. */
  da: Float32Array;
  dz: Float32Array;
}

/** y ← (z − mean)/σ·gain + shift per row, keeping the normalised rows and 1/σ for the backward pass. */
export function layerNormForward(layer: Layer, batch: number): void {
  const { fanOut: n, z, y, gain, shift } = layer;
  const normalised = layer.normalised!;
  const inverseStd = layer.inverseStd!;
  for (let b = 0; b < batch; b++) {
    const row = b * n;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += z[row + i];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      const c = z[row + i] - mean;
      normalised[row + i] = c;
      variance += c * c;
    }
    const inv = 1 / Math.sqrt(variance / n + LAYER_NORM_EPSILON);
    inverseStd[b] = inv;
    for (let i = 0; i < n; i++) {
      const v = (normalised[row + i] *= inv);
      y[row + i] = v * gain![i] + shift![i];
    }
  }
}

/** dz ← σ⁻¹·(ĝ − mean ĝ − n̂·mean(ĝ·n̂)) with ĝ = dy·gain, in place; dGain, dShift accumulated. */
export function layerNormBackward(layer: Layer, batch: number, parameterGradients: boolean): void {
  const { fanOut: n, dz, gain } = layer;
  const normalised = layer.normalised!;
  const inverseStd = layer.inverseStd!;
  const dGain = layer.dGain!;
  const dShift = layer.dShift!;
  if (parameterGradients) {
    dGain.fill(0);
    dShift.fill(0);
  }
  for (let b = 0; b < batch; b++) {
    const row = b * n;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const dy = dz[row + i];
      const nh = normalised[row + i];
      if (parameterGradients) {
        dGain[i] += dy * nh;
        dShift[i] += dy;
      }
      const g = dy * gain![i];
      m1 += g;
      m2 += g * nh;
    }
    m1 /= n;
    m2 /= n;
    const inv = inverseStd[b];
    for (let i = 0; i < n; i++) dz[row + i] = (dz[row + i] * gain![i] - m1 - normalised[row + i] * m2) * inv;
  }
}
