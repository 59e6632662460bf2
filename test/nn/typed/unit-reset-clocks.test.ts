import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterLayout } from '../../../src/nn/parameter-layout.ts';
import { planSurgery } from '../../../src/nn/surgery.ts';
import { loadNativeStepKernels } from '../../../src/nn/typed/native-kernels.ts';
import { createTypedOptimizer, type TypedOptimizer } from '../../../src/nn/typed/optimizers.ts';
import { resetBlocks } from '../../../src/nn/typed/unit-reset-clocks.ts';
import type { AdamConfig } from '../../../src/nn/optimizers/optimizer.ts';
import { Rng } from '../../../src/util/rng.ts';

// 12 → 40 (LayerNorm) → 300 → 3: rows and columns of both kinds, LayerNorm blocks, and a kernel
// large enough for the native path (≥ 256 entries per range).
const layout = new ParameterLayout([
  { name: 'h0', fanIn: 12, fanOut: 40, layerNorm: true },
  { name: 'h1', fanIn: 40, fanOut: 300, layerNorm: false },
  { name: 'out', fanIn: 300, fanOut: 3, layerNorm: false },
]);
const initializers = layout.layers.map(() => 'he_uniform' as const);

interface Run {
  parameters: Float32Array;
  slots: Record<string, Float32Array>;
  optimizer: TypedOptimizer;
}

/**
 * 300 Adam steps with unit resets every few steps; `perUnit` reports them as units (row/column
 * corrections), otherwise as bare indices (the per-element lookup). `rowRanges` applies the step
 * one kernel row at a time, as the typed engine's JS path does.
 */
function run(config: AdamConfig, perUnit: boolean, native: boolean, rowRanges: boolean): Run {
  const kernels = native ? loadNativeStepKernels() : null;
  const optimizer = createTypedOptimizer(config, layout.size, kernels, resetBlocks(layout));
  const rng = new Rng(5);
  const parameters = Float32Array.from({ length: layout.size }, () => rng.normal());
  const gradient = new Float32Array(layout.size);
  const sums = new Float64Array(2);
  const surgeryRng = new Rng(9);
  for (let step = 1; step <= 300; step++) {
    for (let k = 0; k < gradient.length; k++) gradient[k] = rng.normal() * 0.1;
    optimizer.begin(gradient, parameters, undefined);
    if (rowRanges) {
      for (const slot of layout.slots) {
        const rows = slot.role === 'weight' ? slot.fanIn : 1;
        const width = slot.size / rows;
        for (let r = 0; r < rows; r++) optimizer.applyRange(slot.offset + r * width, slot.offset + (r + 1) * width);
      }
    } else {
      optimizer.applyRange(0, layout.size);
    }
    optimizer.finish(sums);
    if (step % 7 === 0) {
      const layer = step % 2;
      const units = [step % 40, (step * 3 + 1) % 40];
      const plan = planSurgery({ layout, hiddenCount: 2, layer, units, options: {}, initializers, rng: surgeryRng });
      if (perUnit) optimizer.resetUnits(layer, units, plan.indices);
      else optimizer.resetIndices(plan.indices);
    }
  }
  return { parameters, slots: optimizer.slots(), optimizer };
}

describe('Adam corrections per row and column after unit resets (unit-reset-clocks.ts)', () => {
  const configs: Array<[string, AdamConfig]> = [
    ['plain', { kind: 'adam', learningRate: 1e-3 }],
    ['coupled weight decay', { kind: 'adam', learningRate: 1e-3, weightDecay: 0.01 }],
    ['decoupled weight decay', { kind: 'adam', learningRate: 1e-3, weightDecay: 0.01, decoupledWeightDecay: true }],
  ];
  const engines = loadNativeStepKernels()?.adamRows ? [false, true] : [false];
  for (const [what, config] of configs) {
    for (const native of engines) {
      it(`give the per-element lookup's parameters and state bit for bit (${what}, ${native ? 'native' : 'JS'})`, () => {
        const reference = run(config, false, native, false);
        for (const rowRanges of [false, true]) {
          const rows = run(config, true, native, rowRanges);
          assert.deepEqual(rows.parameters, reference.parameters, `parameters (${rowRanges ? 'row ranges' : 'one range'})`);
          assert.deepEqual(rows.slots, reference.slots, 'm, v and step counts');
        }
      });
    }
  }

  it('tile the flat vector in layout order, or are refused', () => {
    const blocks = resetBlocks(layout)!;
    assert.deepEqual(
      blocks.map((b) => [b.rows, b.cols, b.rowLayer, b.colLayer]),
      [
        [12, 40, -1, 0],
        [1, 40, -1, 0],
        [1, 40, -1, 0],
        [1, 40, -1, 0],
        [40, 300, 0, 1],
        [1, 300, -1, 1],
        [300, 3, 1, -1],
        [1, 3, -1, -1],
      ],
    );
  });

  it('survive a save and restore, and a clone, continuing bit for bit', () => {
    const config: AdamConfig = { kind: 'adam', learningRate: 1e-3 };
    const a = run(config, true, false, false);
    const restored = createTypedOptimizer(config, layout.size, null, resetBlocks(layout));
    restored.restoreSlots(a.slots);
    const copies = [a.optimizer, restored, a.optimizer.clone()];
    const rng = new Rng(2);
    const parameters = copies.map(() => a.parameters.slice());
    const gradient = new Float32Array(layout.size);
    const sums = new Float64Array(2);
    for (let step = 0; step < 20; step++) {
      for (let k = 0; k < gradient.length; k++) gradient[k] = rng.normal();
      copies.forEach((optimizer, c) => optimizer.apply(gradient.slice(), parameters[c], undefined, sums));
    }
    assert.deepEqual(parameters[1], parameters[0], 'restored');
    assert.deepEqual(parameters[2], parameters[0], 'cloned');
  });
});
