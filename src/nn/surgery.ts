/**
 * Unit surgery: the plan for re-initialising hidden units (algorithms.md §2.1 "Reset mechanics",
 * CBP's gnt.py / ReDo). Built in JS as the list of touched flat parameter indices with their new
 * values (O(touched entries), so a reset costs nothing proportional to the network); the typed engine
 * writes them directly, the tfjs engine expands them to a 0/1 mask (denseSurgery) for batched tensor
 * ops. The same entries' optimizer state is cleared. Touched: the incoming row W_l[i, :], the incoming bias
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
  /** Flat indices of the replaced entries, each once. */
  indices: Int32Array;
  /** New value of entry indices[k]. */
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

  const perUnit = own.fanIn + 1 + (own.layerNormGain ? 2 : 0) + next.fanOut;
  const indices = new Int32Array(units.length * perUnit);
  const values = new Float32Array(units.length * perUnit);
  let n = 0;
  const incoming = weightDistribution(args.initializers[layer], own.fanIn, own.fanOut);
  for (let k = 0; k < units.length; k++) {
    const unit = units[k];
    for (let j = 0; j < own.fanIn; j++) {
      indices[n] = layout.weightIndex(layer, unit, j);
      values[n++] = drawValue(incoming, rng);
    }
    indices[n++] = own.bias.offset + unit;
    if (own.layerNormGain) {
      indices[n] = own.layerNormGain.offset + unit;
      values[n++] = 1;
    }
    if (own.layerNormBias) indices[n++] = own.layerNormBias.offset + unit;
  }
  const redraw = outgoing === 'redraw' ? weightDistribution(args.initializers[layer + 1], next.fanIn, next.fanOut) : null;
  for (let k = 0; k < units.length; k++) {
    const unit = units[k];
    for (let o = 0; o < next.fanOut; o++) {
      indices[n] = layout.weightIndex(layer + 1, o, unit);
      if (redraw) values[n] = drawValue(redraw, rng);
      n++;
    }
  }
  let transfer: Float32Array | null = null;
  if (reference !== undefined && units.length > 0) {
    transfer = new Float32Array(own.fanOut);
    for (let k = 0; k < units.length; k++) transfer[units[k]] = reference[k];
  }
  return { indices, values, transfer };
}

/** The plan as a 0/1 mask over the flat parameter vector and the new values at masked entries (0 elsewhere). */
export function denseSurgery(plan: SurgeryPlan, size: number): { mask: Float32Array; values: Float32Array } {
  const mask = new Float32Array(size);
  const values = new Float32Array(size);
  for (let k = 0; k < plan.indices.length; k++) {
    mask[plan.indices[k]] = 1;
    values[plan.indices[k]] = plan.values[k];
  }
  return { mask, values };
}
