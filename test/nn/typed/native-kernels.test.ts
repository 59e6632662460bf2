import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.ts';
import { TypedNetwork, type TypedNetworkOptions } from '../../../src/nn/typed/network.ts';
import { loadNativeStepKernels } from '../../../src/nn/typed/native-kernels.ts';
import { huberLoss, softmaxCrossEntropy } from '../../../src/nn/losses.ts';
import type { Activation, NetworkSpec, StepTrace } from '../../../src/nn/types.ts';
import { TRACE_STATS } from '../../../src/nn/types.ts';

const native = loadNativeStepKernels();
const skip = native === null ? 'the native addon (npm run build:native) is not built here' : false;

/** Layers big enough that every element-wise pass takes the native path (≥ 256 elements, ≥ 1024 weights). */
function spec(activation: Activation, dropout: number): NetworkSpec {
  return {
    name: 'native',
    inputSize: 24,
    hidden: [
      { units: 64, activation, dropout },
      { units: 48, activation: 'relu' },
    ],
    outputSize: 5,
    seed: 11,
  };
}

function drive(net: TypedNetwork, steps: number, withReferences: boolean, xent: boolean): StepTrace[] {
  const rng = new Rng(3);
  const batch = 8;
  const traces: StepTrace[] = [];
  const references = withReferences ? [Float32Array.from({ length: 64 }, () => rng.uniform(0, 0.2)), null] : undefined;
  for (let k = 0; k < steps; k++) {
    const input = Float32Array.from({ length: batch * 24 }, () => rng.normal());
    const loss = xent
      ? softmaxCrossEntropy(Int32Array.from({ length: batch }, () => rng.int(5)))
      : huberLoss(Float32Array.from({ length: batch * 5 }, () => rng.normal()));
    traces.push(net.trainStep({ input, batchSize: batch, loss, references }));
    if (k === 7) net.reinitializeUnits(0, [1, 5, 9], { biasTransfer: [0.1, 0.2, 0.3] });
    if (k === 12) net.reinitializeUnits(1, [0, 47], { outgoing: 'redraw' });
  }
  return traces;
}

const OUTGOING_ROW = TRACE_STATS.indexOf('meanAbsOutgoingWeight');

function assertSameRun(options: TypedNetworkOptions, activation: Activation, dropout: number, withReferences: boolean, xent = false): void {
  const a = new TypedNetwork(spec(activation, dropout), { ...options, nativeKernels: true });
  const b = new TypedNetwork(spec(activation, dropout), { ...options, nativeKernels: false });
  assert.equal(a.usesNativeKernels, true);
  assert.equal(b.usesNativeKernels, false);
  const ta = drive(a, 30, withReferences, xent);
  const tb = drive(b, 30, withReferences, xent);
  for (let k = 0; k < ta.length; k++) {
    assert.equal(ta[k].loss, tb[k].loss, `loss at step ${k}`);
    assert.ok(Math.abs(ta[k].gradNorm - tb[k].gradNorm) <= 1e-12 * tb[k].gradNorm, `gradNorm at step ${k}`);
    assert.ok(Math.abs(ta[k].updateNorm - tb[k].updateNorm) <= 1e-12 * tb[k].updateNorm, `updateNorm at step ${k}`);
    ta[k].layers.forEach((layer, l) => {
      const units = layer.units;
      const other = tb[k].layers[l].stats;
      for (let r = 0; r < TRACE_STATS.length; r++) {
        for (let i = 0; i < units; i++) {
          const x = layer.stats[r * units + i];
          const y = other[r * units + i];
          // Row 7 (mean |outgoing W|) is summed with vector partial sums natively: last-bit differences only.
          if (r === OUTGOING_ROW) assert.ok(Math.abs(x - y) <= 1e-6 * Math.abs(y), `step ${k} layer ${l} ${TRACE_STATS[r]}[${i}]: ${x} vs ${y}`);
          else assert.equal(x, y, `step ${k} layer ${l} ${TRACE_STATS[r]}[${i}]`);
        }
      }
    });
  }
  assert.deepEqual(a.state(), b.state(), 'weights, optimizer state and Rng identical after 30 steps and two resets');
}

describe('TypedNetwork native element-wise kernels', { skip }, () => {
  it('train bit-identically to the JS loops with Adam (relu, dropout, per-element step counts after resets)', () => {
    assertSameRun({ optimizer: { kind: 'adam', learningRate: 1e-3 } }, 'relu', 0.2, false);
  });

  it('train bit-identically with Adam and coupled L2, references for GXD, leaky relu', () => {
    assertSameRun({ optimizer: { kind: 'adam', learningRate: 1e-3, weightDecay: 1e-3 } }, 'leaky_relu', 0, true);
  });

  it('train bit-identically with decoupled weight decay, tanh and cross-entropy', () => {
    assertSameRun({ optimizer: { kind: 'adam', learningRate: 3e-3, weightDecay: 1e-2, decoupledWeightDecay: true } }, 'tanh', 0.1, true, true);
  });

  it('train bit-identically with SGD (momentum, weight decay) for sigmoid and elu', () => {
    assertSameRun({ optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3 } }, 'sigmoid', 0, false);
    assertSameRun({ optimizer: { kind: 'sgd', learningRate: 0.05 } }, 'elu', 0.1, true);
  });

  it('train bit-identically with shrink & perturb and L2-Init (the non-fused path)', () => {
    assertSameRun({ optimizer: { kind: 'adam', learningRate: 1e-3 }, regularizers: { shrinkPerturb: {}, l2Init: { strength: 1e-3 } } }, 'relu', 0, true);
  });

  it('reject operands of the wrong length instead of reading past them', () => {
    const k = native!;
    const n = 300;
    assert.throws(() => k.adam(0, n, new Float32Array(n - 1), new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float64Array(9), new Float64Array(2), null, null, null), /wrong type or length/);
    assert.throws(() => k.weightRows(4, 4, new Float32Array(15), new Float64Array(4), null, null), /wrong type or length/);
    assert.throws(
      () => k.backwardHidden(1, 2, 4, new Float32Array(8), new Float32Array(8), new Float32Array(8), new Float32Array(8), null, null, new Float32Array(20), null, new Float64Array(28)),
      /wrong type or length/,
    );
  });
});
