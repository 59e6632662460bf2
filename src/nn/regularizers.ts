/**
 * Regularizers against loss of plasticity, applied inside the training step (algorithms.md §2.6–2.10):
 * - l2: coupled weight decay toward 0, gradient += λθ (§2.7);
 * - l2Init: λ‖θ − θ0‖², gradient += 2λ(θ − θ0), θ0 the fixed initial parameters (§2.8, Kumar et al.);
 * - wasserstein: λ Σ_j (θ↑[j] − θ0↑[j])² per parameter tensor, so the entry of rank j is pulled toward
 *   the j-th smallest initial value, gradient += 2λ(θ − θ0↑[rank]) (§2.9, our reading of Lewandowski et al.);
 * - shrinkPerturb: after the optimizer step θ ← p·θ + σ·ε, ε ~ N(0, I) (§2.6, Ash & Adams' per-step
 *   form; Dohare's coupled-decay variant is p = 1 − lr·λ);
 * - gradientNoise: gradient += N(0, (σ0·γ^t·‖g‖)²·I), t the update count (§2.10, Joudaki et al.).
 * Every field is optional; `{}` switches a regularizer on with its defaults.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlasticdError } from '../util/errors.ts';
import type { ParameterLayout } from './parameter-layout.ts';

export interface RegularizerConfig {
  /** Default strength 1e-4. */
  l2?: { strength?: number };
  /** Default strength 1e-2 (the L2 Init paper's best single value). */
  l2Init?: { strength?: number };
  /** Default strength 1e-2 (unsourced; the docs suggest the L2 Init grid). */
  wasserstein?: { strength?: number };
  /** Defaults: shrink 1 − 1e-4, noiseStd 1e-5. */
  shrinkPerturb?: { shrink?: number; noiseStd?: number };
  /** Defaults: initialScale σ0 = 0.01, decay γ = 0.99 per update. */
  gradientNoise?: { initialScale?: number; decay?: number };
}

export interface ResolvedRegularizers {
  l2: number;
  l2Init: number;
  wasserstein: number;
  shrink: number;
  perturbStd: number;
  noiseScale: number;
  noiseDecay: number;
}

export function resolveRegularizers(config: RegularizerConfig = {}): ResolvedRegularizers {
  const resolved: ResolvedRegularizers = {
    l2: config.l2 ? (config.l2.strength ?? 1e-4) : 0,
    l2Init: config.l2Init ? (config.l2Init.strength ?? 1e-2) : 0,
    wasserstein: config.wasserstein ? (config.wasserstein.strength ?? 1e-2) : 0,
    shrink: config.shrinkPerturb ? (config.shrinkPerturb.shrink ?? 1 - 1e-4) : 1,
    perturbStd: config.shrinkPerturb ? (config.shrinkPerturb.noiseStd ?? 1e-5) : 0,
    noiseScale: config.gradientNoise ? (config.gradientNoise.initialScale ?? 0.01) : 0,
    noiseDecay: config.gradientNoise ? (config.gradientNoise.decay ?? 0.99) : 1,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new PlasticdError('nn_invalid_regularizer', `Regularizer setting ${key} must be a finite number ≥ 0, got ${value}.`);
    }
  }
  if (resolved.shrink > 1) throw new PlasticdError('nn_invalid_regularizer', `shrinkPerturb.shrink must be in [0, 1], got ${resolved.shrink}.`);
  return resolved;
}

/** Does the step need the initial parameters as a tensor? */
export function needsInitialParameters(regs: ResolvedRegularizers): boolean {
  return regs.l2Init > 0 || regs.wasserstein > 0;
}

/**
 * Per parameter tensor, the initial values sorted in descending order (what tf.topk returns), as
 * one flat tensor in layout order; `wassersteinTarget` scatters them back by current rank.
 */
export function sortedInitialParameters(layout: ParameterLayout, initial: Float32Array): tf.Tensor1D {
  const sorted = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    const part = initial.slice(slot.offset, slot.offset + slot.size).sort().reverse();
    sorted.set(part, slot.offset);
  }
  return tf.tensor1d(sorted);
}

/** θ0↑[rank(θ)] per parameter tensor: the initial value with the same rank as each current entry. */
export function wassersteinTarget(layout: ParameterLayout, parameters: tf.Tensor1D, sortedInitial: tf.Tensor1D): tf.Tensor1D {
  const parts = layout.slots.map((slot) => {
    const current = tf.slice(parameters, slot.offset, slot.size);
    const { indices } = tf.topk(current, slot.size, true);
    const quantiles = tf.slice(sortedInitial, slot.offset, slot.size);
    return tf.scatterND(tf.reshape(indices, [slot.size, 1]), quantiles, [slot.size]);
  });
  return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D;
}

/**
 * The gradient with the regularizers' terms added. Inside a tidy. `normals` is N(0, I) noise from the
 * network's Rng (only when gradient noise is on); `update` is the count before this step.
 */
export function regularizedGradient(args: {
  regs: ResolvedRegularizers;
  layout: ParameterLayout;
  gradient: tf.Tensor1D;
  gradNorm: tf.Scalar;
  parameters: tf.Tensor1D;
  initial: tf.Tensor1D | null;
  sortedInitial: tf.Tensor1D | null;
  normals: Float32Array | null;
  update: number;
}): tf.Tensor1D {
  const { regs, gradient, parameters } = args;
  let g = gradient;
  if (regs.l2 > 0) g = tf.add(g, tf.mul(parameters, regs.l2));
  if (regs.l2Init > 0) g = tf.add(g, tf.mul(tf.sub(parameters, args.initial!), 2 * regs.l2Init));
  if (regs.wasserstein > 0) {
    const target = wassersteinTarget(args.layout, parameters, args.sortedInitial!);
    g = tf.add(g, tf.mul(tf.sub(parameters, target), 2 * regs.wasserstein));
  }
  if (regs.noiseScale > 0 && args.normals) {
    const sigma = regs.noiseScale * Math.pow(regs.noiseDecay, args.update);
    g = tf.add(g, tf.mul(tf.tensor1d(args.normals), tf.mul(args.gradNorm, sigma)));
  }
  return g;
}

/** Shrink & Perturb after the optimizer step; `normals` is N(0, I) from the network's Rng. */
export function shrinkAndPerturb(regs: ResolvedRegularizers, parameters: tf.Tensor1D, normals: Float32Array | null): tf.Tensor1D {
  let next = parameters;
  if (regs.shrink !== 1) next = tf.mul(next, regs.shrink);
  if (regs.perturbStd > 0 && normals) next = tf.add(next, tf.mul(tf.tensor1d(normals), regs.perturbStd));
  return next;
}
