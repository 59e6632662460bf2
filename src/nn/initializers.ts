/**
 * Weight initialisers, drawn in JS from the network's seeded Rng so that the initial parameters are
 * identical on every backend. Scales follow PyTorch: kaiming_* with the ReLU gain √2 (He et al.
 * 2015, arXiv:1502.01852), LeCun (gain 1), xavier_* (Glorot & Bengio 2010), and nn.Linear's default
 * U(±1/√fan_in) for weights and biases. Only torch_default draws biases; the others start them at 0.
 * He/LeCun normal are plain (not truncated) normals, as in PyTorch.
 */
import type { Rng } from '../util/rng.ts';
import type { ParameterLayout } from './parameter-layout.ts';
import type { LayerPlan } from './spec.ts';
import type { Initializer } from './types.ts';

export const INITIALIZERS: readonly Initializer[] = [
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'xavier_uniform',
  'xavier_normal',
  'torch_default',
];

export interface WeightDistribution {
  kind: 'uniform' | 'normal';
  /** Half-width for uniform, standard deviation for normal. */
  scale: number;
}

export function weightDistribution(init: Initializer, fanIn: number, fanOut: number): WeightDistribution {
  switch (init) {
    case 'he_uniform':
      return { kind: 'uniform', scale: Math.sqrt(6 / fanIn) };
    case 'he_normal':
      return { kind: 'normal', scale: Math.sqrt(2 / fanIn) };
    case 'lecun_uniform':
      return { kind: 'uniform', scale: Math.sqrt(3 / fanIn) };
    case 'lecun_normal':
      return { kind: 'normal', scale: Math.sqrt(1 / fanIn) };
    case 'xavier_uniform':
      return { kind: 'uniform', scale: Math.sqrt(6 / (fanIn + fanOut)) };
    case 'xavier_normal':
      return { kind: 'normal', scale: Math.sqrt(2 / (fanIn + fanOut)) };
    case 'torch_default':
      return { kind: 'uniform', scale: 1 / Math.sqrt(fanIn) };
  }
}

/** Bias distribution; null means biases start at zero. */
export function biasDistribution(init: Initializer, fanIn: number): WeightDistribution | null {
  return init === 'torch_default' ? { kind: 'uniform', scale: 1 / Math.sqrt(fanIn) } : null;
}

/** One draw from `dist`. */
export function drawValue(dist: WeightDistribution, rng: Rng): number {
  return dist.kind === 'uniform' ? rng.uniform(-dist.scale, dist.scale) : rng.normal(0, dist.scale);
}

/**
 * The network's initial flat parameter vector. Draw order, per layer: weights row by row in the
 * contract order (unit i, input j), then biases (torch_default only); LayerNorm gains 1, biases 0.
 */
export function drawInitialParameters(plans: readonly LayerPlan[], layout: ParameterLayout, rng: Rng): Float32Array {
  const flat = new Float32Array(layout.size);
  for (const plan of plans) {
    const slots = layout.layers[plan.index];
    const dist = weightDistribution(plan.init, plan.fanIn, plan.fanOut);
    for (let i = 0; i < plan.fanOut; i++) {
      for (let j = 0; j < plan.fanIn; j++) flat[layout.weightIndex(plan.index, i, j)] = drawValue(dist, rng);
    }
    const biasDist = biasDistribution(plan.init, plan.fanIn);
    if (biasDist) for (let i = 0; i < plan.fanOut; i++) flat[slots.bias.offset + i] = drawValue(biasDist, rng);
    if (slots.layerNormGain) flat.fill(1, slots.layerNormGain.offset, slots.layerNormGain.offset + plan.fanOut);
  }
  return flat;
}
