import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.ts';
import { ACTIVATIONS } from '../../../src/nn/activations.ts';
import { createTfjsNetwork, type NetworkOptions } from '../../../src/nn/network.ts';
import { TypedNetwork } from '../../../src/nn/typed/network.ts';
import { huberLoss } from '../../../src/nn/losses.ts';
import type { Network, NetworkSpec, NetworkState, StepTrace } from '../../../src/nn/types.ts';
import type { OptimizerSnapshot } from '../../../src/nn/state.ts';
import { assertClose, useCpuBackend } from '../reference-mlp.ts';

before(useCpuBackend);

const spec: NetworkSpec = {
  name: 'parity',
  inputSize: 5,
  hidden: [
    { units: 16, activation: 'relu' },
    { units: 12, activation: 'tanh', layerNorm: true, dropout: 0.1 },
    { units: 8, activation: 'gelu' },
  ],
  outputSize: 3,
  seed: 31,
};

function drive(net: Network, steps: number, seed: number): StepTrace[] {
  const rng = new Rng(seed);
  const traces: StepTrace[] = [];
  for (let k = 0; k < steps; k++) {
    const input = Float32Array.from({ length: 4 * spec.inputSize }, () => rng.normal());
    const target = Float32Array.from({ length: 4 * spec.outputSize }, () => rng.normal());
    traces.push(net.trainStep({ input, batchSize: 4, loss: huberLoss(target), references: [null, new Float32Array(12).fill(0.1), null] }));
    if (k % 25 === 10) net.reinitializeUnits(k % 3, [k % 8], { biasTransfer: [0.05] });
  }
  return traces;
}

/**
 * States equal entry for entry, except Adam's running powers β^t: the tfjs optimizer keeps them as a
 * float32 recurrence, the typed one derives them from the step count t (restored exactly).
 */
function assertSameState(actual: NetworkState, expected: NetworkState): void {
  const strip = (state: NetworkState) => {
    const optimizer = structuredClone(state.optimizer) as OptimizerSnapshot;
    const powers = { beta1Power: optimizer.slots.beta1Power, beta2Power: optimizer.slots.beta2Power };
    delete optimizer.slots.beta1Power;
    delete optimizer.slots.beta2Power;
    return { rest: { ...state, spec: null, optimizer }, powers };
  };
  const a = strip(actual);
  const e = strip(expected);
  assert.deepEqual(a.rest, e.rest);
  for (const key of ['beta1Power', 'beta2Power'] as const) {
    if (a.powers[key] === undefined || e.powers[key] === undefined) continue;
    for (const [name, values] of Object.entries(e.powers[key])) assertClose(a.powers[key][name], values, 1e-7, 1e-5, `${key} ${name}`);
  }
}

function flat(net: Network): Float32Array {
  return Float32Array.from(net.layerWeights().flatMap((w) => [...w.weight, ...w.bias, ...(w.layerNormGain ?? []), ...(w.layerNormBias ?? [])]));
}

describe('TypedNetwork against the tfjs DenseNetwork', () => {
  it('draws identical initial weights for the same seed, for every initialiser path', () => {
    const wide: NetworkSpec = { ...spec, hidden: ACTIVATIONS.map((activation, l) => ({ units: 3 + l, activation, layerNorm: l % 2 === 0, init: l % 2 ? 'he_normal' : 'torch_default' })) };
    const a = createTfjsNetwork(wide);
    const b = new TypedNetwork(wide);
    assert.deepEqual(b.layerWeights(), a.layerWeights());
    assert.deepEqual(b.initialLayerWeights(), a.initialLayerWeights());
    assert.equal(b.parameterCount, a.parameterCount);
    a.dispose();
  });

  for (const optimizer of [
    { kind: 'adam', learningRate: 1e-3 },
    { kind: 'sgd', learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4 },
  ] as const) {
    it(`trains like it for 100 steps (${optimizer.kind}, LayerNorm, dropout, GELU, resets, regularizers): weights within 1e-5 relative`, () => {
      const options: NetworkOptions = { optimizer, regularizers: { l2Init: { strength: 1e-3 }, shrinkPerturb: {} } };
      const a = createTfjsNetwork(spec, options);
      const b = new TypedNetwork(spec, options);
      const ta = drive(a, 100, 5);
      const tb = drive(b, 100, 5);
      for (let k = 0; k < ta.length; k += 9) {
        assert.ok(Math.abs(tb[k].loss - ta[k].loss) <= 1e-5 * Math.abs(ta[k].loss) + 1e-6, `loss at step ${k}: ${tb[k].loss} vs ${ta[k].loss}`);
        assert.ok(Math.abs(tb[k].gradNorm - ta[k].gradNorm) <= 1e-4 * ta[k].gradNorm + 1e-6, `gradNorm at step ${k}`);
        ta[k].layers.forEach((layer, l) => assertClose(tb[k].layers[l].stats, layer.stats, 1e-5, 1e-3, `step ${k} layer ${l} stats`));
      }
      const wa = flat(a);
      const wb = flat(b);
      let num = 0;
      let den = 0;
      for (let k = 0; k < wa.length; k++) {
        num += (wa[k] - wb[k]) ** 2;
        den += wa[k] ** 2;
      }
      assert.ok(Math.sqrt(num / den) < 1e-5, `relative weight difference ${Math.sqrt(num / den)}`);
      assertClose(wb, wa, 2e-5, 1e-3, 'weights');
      assertClose(b.outputGxd(new Float32Array(8 * spec.inputSize).fill(0.3), 8)[1], a.outputGxd(new Float32Array(8 * spec.inputSize).fill(0.3), 8)[1], 1e-5, 1e-3, 'GXD-F');
      a.dispose();
    });
  }

  it('restores a state saved by the other engine, both ways, and continues like it', () => {
    const options: NetworkOptions = { optimizer: { kind: 'adam', learningRate: 3e-3, beta1: 0.99, beta2: 0.99 }, regularizers: { wasserstein: {}, gradientNoise: {} } };
    const tfjs = createTfjsNetwork(spec, options);
    drive(tfjs, 30, 7);
    const typed = new TypedNetwork({ ...spec, seed: 1 }, { optimizer: { kind: 'sgd', learningRate: 1 } });
    typed.restore(tfjs.state());
    assertSameState(typed.state(), tfjs.state());
    const ta = drive(tfjs, 20, 8);
    const tb = drive(typed, 20, 8);
    for (let k = 0; k < ta.length; k++) assert.ok(Math.abs(tb[k].loss - ta[k].loss) <= 1e-4 * Math.abs(ta[k].loss) + 1e-6, `loss at step ${k}`);
    assertClose(flat(typed), flat(tfjs), 1e-5, 1e-3, 'weights after 20 more steps');
    // And back: the typed engine's state restores into a fresh tfjs network.
    const back = createTfjsNetwork(spec);
    back.restore(typed.state());
    assertSameState(back.state(), typed.state());
    assert.equal(back.updates, 50);
    for (const net of [tfjs, back]) net.dispose();
  });
});
