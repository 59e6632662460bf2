/**
 * Where every parameter lives in the network's one flat parameter vector. Weights are stored as
 * kernels [fanIn × fanOut] (so the forward pass is x·K with no transpose, the fast path on wasm);
 * everything handed out (LayerWeights, NetworkState) uses the contract layout W [fanOut × fanIn],
 * row i = unit i's incoming weights. Order: per layer (hidden layers, then output) weight, bias,
 * then LayerNorm gain and bias if the layer has them.
 */
import { PlasticdError } from '../util/errors.ts';
import type { LayerWeights } from './types.ts';

export type ParameterRole = 'weight' | 'bias' | 'layerNormGain' | 'layerNormBias';

export interface ParameterSlot {
  /** `${layerName}.${role}`, the key in NetworkState records. */
  name: string;
  layer: number;
  role: ParameterRole;
  offset: number;
  size: number;
  /** Internal tensor shape: [fanIn, fanOut] for weights, [fanOut] otherwise. */
  shape: number[];
  fanIn: number;
  fanOut: number;
}

export interface LayerSlots {
  name: string;
  fanIn: number;
  fanOut: number;
  weight: ParameterSlot;
  bias: ParameterSlot;
  layerNormGain?: ParameterSlot;
  layerNormBias?: ParameterSlot;
}

export interface LayerShape {
  name: string;
  fanIn: number;
  fanOut: number;
  layerNorm: boolean;
}

export class ParameterLayout {
  readonly slots: ParameterSlot[] = [];
  readonly layers: LayerSlots[] = [];
  readonly size: number;

  constructor(shapes: readonly LayerShape[]) {
    let offset = 0;
    const add = (layer: number, shape: LayerShape, role: ParameterRole): ParameterSlot => {
      const isWeight = role === 'weight';
      const size = isWeight ? shape.fanIn * shape.fanOut : shape.fanOut;
      const slot: ParameterSlot = {
        name: `${shape.name}.${role}`,
        layer,
        role,
        offset,
        size,
        shape: isWeight ? [shape.fanIn, shape.fanOut] : [shape.fanOut],
        fanIn: shape.fanIn,
        fanOut: shape.fanOut,
      };
      offset += size;
      this.slots.push(slot);
      return slot;
    };
    shapes.forEach((shape, layer) => {
      const entry: LayerSlots = {
        name: shape.name,
        fanIn: shape.fanIn,
        fanOut: shape.fanOut,
        weight: add(layer, shape, 'weight'),
        bias: add(layer, shape, 'bias'),
      };
      if (shape.layerNorm) {
        entry.layerNormGain = add(layer, shape, 'layerNormGain');
        entry.layerNormBias = add(layer, shape, 'layerNormBias');
      }
      this.layers.push(entry);
    });
    this.size = offset;
  }

  /** Flat index of contract entry W[unit, input] of a layer's weight. */
  weightIndex(layer: number, unit: number, input: number): number {
    const slot = this.layers[layer].weight;
    return slot.offset + input * slot.fanOut + unit;
  }

  /** One slot's values in contract layout (weights transposed to [fanOut × fanIn]). */
  readSlot(slot: ParameterSlot, flat: Float32Array): Float32Array {
    if (slot.role !== 'weight') return flat.slice(slot.offset, slot.offset + slot.size);
    const { fanIn, fanOut, offset } = slot;
    const out = new Float32Array(slot.size);
    for (let j = 0; j < fanIn; j++) {
      const row = offset + j * fanOut;
      for (let i = 0; i < fanOut; i++) out[i * fanIn + j] = flat[row + i];
    }
    return out;
  }

  /** Writes contract-layout values of one slot into the flat vector. */
  writeSlot(slot: ParameterSlot, values: ArrayLike<number>, flat: Float32Array): void {
    if (values.length !== slot.size) {
      throw new PlasticdError('nn_state_mismatch', `${slot.name} has ${values.length} values; the network expects ${slot.size}.`);
    }
    if (slot.role !== 'weight') {
      flat.set(values, slot.offset);
      return;
    }
    const { fanIn, fanOut, offset } = slot;
    for (let i = 0; i < fanOut; i++) {
      for (let j = 0; j < fanIn; j++) flat[offset + j * fanOut + i] = values[i * fanIn + j];
    }
  }

  toRecord(flat: Float32Array): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const slot of this.slots) out[slot.name] = this.readSlot(slot, flat);
    return out;
  }

  fromRecord(record: Record<string, ArrayLike<number>>, what: string): Float32Array {
    const flat = new Float32Array(this.size);
    for (const slot of this.slots) {
      const values = record[slot.name];
      if (values === undefined) {
        throw new PlasticdError('nn_state_mismatch', `${what} has no entry "${slot.name}"; the network's parameters are ${this.slots.map((s) => s.name).join(', ')}.`);
      }
      this.writeSlot(slot, values, flat);
    }
    return flat;
  }

  layerWeights(flat: Float32Array): LayerWeights[] {
    return this.layers.map((layer) => {
      const weights: LayerWeights = {
        name: layer.name,
        weight: this.readSlot(layer.weight, flat),
        bias: this.readSlot(layer.bias, flat),
        fanIn: layer.fanIn,
        fanOut: layer.fanOut,
      };
      if (layer.layerNormGain) weights.layerNormGain = this.readSlot(layer.layerNormGain, flat);
      if (layer.layerNormBias) weights.layerNormBias = this.readSlot(layer.layerNormBias, flat);
      return weights;
    });
  }
}
