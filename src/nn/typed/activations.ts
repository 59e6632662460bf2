/**
 * The activations of activations.ts on plain Float32Arrays, in place and allocation-free, with the
 * same conventions (leaky slope 0.01, ELU α = 1, exact erf GELU, swish = SiLU). erf uses the
 * Abramowitz & Stegun 7.1.26 approximation (|error| < 1.5e-7), as tfjs's cpu kernel does.
 */
import { LEAKY_RELU_SLOPE } from '../activations.ts';
import type { Activation } from '../types.ts';

const ERF_P = 0.3275911;
const ERF_A1 = 0.254829592;
const ERF_A2 = -0.284496736;
const ERF_A3 = 1.421413741;
const ERF_A4 = -1.453152027;
const ERF_A5 = 1.061405429;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const v = Math.abs(x);
  const t = 1 / (1 + ERF_P * v);
  return sign * (1 - ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t * Math.exp(-v * v));
}

/** a[k] = φ(y[k]) for k < count (a may be y). */
export function activateInto(activation: Activation, y: Float32Array, a: Float32Array, count: number): void {
  switch (activation) {
    case 'relu':
      for (let k = 0; k < count; k++) a[k] = y[k] > 0 ? y[k] : 0;
      return;
    case 'leaky_relu':
      for (let k = 0; k < count; k++) a[k] = y[k] < 0 ? LEAKY_RELU_SLOPE * y[k] : y[k];
      return;
    case 'tanh':
      for (let k = 0; k < count; k++) a[k] = Math.tanh(y[k]);
      return;
    case 'sigmoid':
      for (let k = 0; k < count; k++) a[k] = 1 / (1 + Math.exp(-y[k]));
      return;
    case 'elu':
      for (let k = 0; k < count; k++) a[k] = y[k] > 0 ? y[k] : Math.exp(y[k]) - 1;
      return;
    case 'gelu':
      for (let k = 0; k < count; k++) a[k] = 0.5 * y[k] * (1 + erf(y[k] * Math.SQRT1_2));
      return;
    case 'swish':
      for (let k = 0; k < count; k++) a[k] = y[k] / (1 + Math.exp(-y[k]));
      return;
    case 'linear':
      if (a !== y) for (let k = 0; k < count; k++) a[k] = y[k];
      return;
  }
}

/** dz[k] = da[k]·φ'(y[k]) for k < count, φ' from the pre-activation y or the output a (dz may be da). */
export function activationBackward(activation: Activation, y: Float32Array, a: Float32Array, da: Float32Array, dz: Float32Array, count: number): void {
  switch (activation) {
    case 'relu':
      for (let k = 0; k < count; k++) dz[k] = a[k] > 0 ? da[k] : 0;
      return;
    case 'leaky_relu':
      for (let k = 0; k < count; k++) dz[k] = y[k] > 0 ? da[k] : LEAKY_RELU_SLOPE * da[k];
      return;
    case 'tanh':
      for (let k = 0; k < count; k++) dz[k] = da[k] * (1 - a[k] * a[k]);
      return;
    case 'sigmoid':
      for (let k = 0; k < count; k++) dz[k] = da[k] * a[k] * (1 - a[k]);
      return;
    case 'elu':
      for (let k = 0; k < count; k++) dz[k] = da[k] * (a[k] < 0 ? a[k] + 1 : 1);
      return;
    case 'gelu':
      for (let k = 0; k < count; k++) {
        const v = y[k];
        dz[k] = da[k] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
      }
      return;
    case 'swish':
      for (let k = 0; k < count; k++) {
        const s = 1 / (1 + Math.exp(-y[k]));
        dz[k] = da[k] * s * (1 + y[k] * (1 - s));
      }
      return;
    case 'linear':
      if (dz !== da) for (let k = 0; k < count; k++) dz[k] = da[k];
      return;
  }
}
