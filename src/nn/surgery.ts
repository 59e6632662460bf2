/**
 * Unit surgery: the plan for re-initialising hidden units (algorithms.md §2.1 "Reset mechanics",
 * CBP's gnt.py / ReDo). Built in JS as a 0/1 mask over the flat parameter vector plus the new values
 * at masked entries, then applied by the network in a few batched tensor ops; the same mask clears
 * the optimizer state of exactly those entries. Touched: the incoming row W_l[i, :], the incoming bias
 * b_l[i] (→ 0), LayerNorm gain/bias of the unit (→ 1/0), and the outgoing column W_{l+1}[:, i]
 * (→ 0 or redrawn). Bias transfer b_{l+1} += W_{l+1}[:, i]·ā_i is computed by the network from the
 * current weights before the column is zeroed; it changes b_{l+1} but not its optimizer state.
 * Rng order: per unit (in the order given) its incoming row, then, with outgoing 'redraw', per unit its column.
 */
import type { Rng } from '../util/rng.ts';
import { PlasticdError } from '../util/errors.ts';
import { drawValue, weightDistribution } from './initializers.ts';
import type { ParameterLayout } from './parameter-layout.ts';
import type { Initializer, ReinitializeOptions } from './types.ts';

export interface SurgeryPlan {
  /** 1 where the entry is replaced. */
  mask: Float32Array;
  /** New values at masked entries, 0 elsewhere. */
  values: Float32Array;
  /** Per unit of the layer, ā_i for reset units with bias transfer, else 0; null = no transfer. */
  transfer: Float32Array | null;
}

export function planSurgery(args: {
  layout: ParameterLayout;
  hiddenCount: number;
  layer: number;
  units: ArrayLike<number>;
  options: ReinitializeOptions;
  initializers: readonly Initializer[];
  rng: Rng;
}): SurgeryPlan {
  const { layout, hiddenCount, layer, units, options, rng } = args;
  if (layer === hiddenCount) {
    throw new PlasticdError('nn_reset_output_layer', `Layer ${layer} is the output layer, whose units are never reset; hidden layers are 0..${hiddenCount - 1}.`);
  }
  if (!Number.isInteger(layer) || layer < 0 || layer > hiddenCount) {
    throw new PlasticdError('nn_invalid_layer', `No hidden layer ${layer}; hidden layers are 0..${hiddenCount - 1}.`);
  }
  const own = layout.layers[layer];
  const next = layout.layers[layer + 1];
  const outgoing = options.outgoing ?? 'zero';
  if (outgoing !== 'zero' && outgoing !== 'redraw') {
    throw new PlasticdError('nn_invalid_reset', `outgoing must be "zero" or "redraw", got "${String(outgoing)}".`);
  }
  const seen = new Set<number>();
  for (let k = 0; k < units.length; k++) {
    const unit = units[k];
    if (!Number.isInteger(unit) || unit < 0 || unit >= own.fanOut) {
      throw new PlasticdError('nn_invalid_reset', `Unit ${unit} does not exist in layer ${layer} (${own.name}), which has units 0..${own.fanOut - 1}.`);
    }
    if (seen.has(unit)) throw new PlasticdError('nn_invalid_reset', `Unit ${unit} is listed twice for layer ${layer}.`);
    seen.add(unit);
  }
  const reference = options.biasTransfer;
  if (reference !== undefined && reference.length !== units.length) {
    throw new PlasticdError('nn_invalid_reset', `biasTransfer has ${reference.length} values for ${units.length} units; give one reference activation per unit, in the same order.`);
  }

  const mask = new Float32Array(layout.size);
  const values = new Float32Array(layout.size);
  const incoming = weightDistribution(args.initializers[layer], own.fanIn, own.fanOut);
  for (let k = 0; k < units.length; k++) {
    const unit = units[k];
    for (let j = 0; j < own.fanIn; j++) {
      const index = layout.weightIndex(layer, unit, j);
      mask[index] = 1;
      values[index] = drawValue(incoming, rng);
    }
    mask[own.bias.offset + unit] = 1;
    if (own.layerNormGain) {
      mask[own.layerNormGain.offset + unit] = 1;
      values[own.layerNormGain.offset + unit] = 1;
    }
    if (own.layerNormBias) mask[own.layerNormBias.offset + unit] = 1;
  }
  const redraw = outgoing === 'redraw' ? weightDistribution(args.initializers[layer + 1], next.fanIn, next.fanOut) : null;
  for (let k = 0; k < units.length; k++) {
    const unit = units[k];
    for (let o = 0; o < next.fanOut; o++) {
      const index = layout.weightIndex(layer + 1, o, unit);
      mask[index] = 1;
      if (redraw) values[index] = drawValue(redraw, rng);
    }
  }
  let transfer: Float32Array | null = null;
  if (reference !== undefined && units.length > 0) {
    transfer = new Float32Array(own.fanOut);
    for (let k = 0; k < units.length; k++) transfer[units[k]] = reference[k];
  }
  return { mask, values, transfer };
}
