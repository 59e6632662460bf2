import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import type { OptimizerSnapshot } from '../../src/nn/state.ts';
import type { LayerWeights, OutputLoss, NetworkSpec } from '../../src/nn/types.ts';
import { randomArray, useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

const spec: NetworkSpec = {
  name: 'surgery',
  inputSize: 5,
  hidden: [
    { units: 8, activation: 'tanh' },
    { units: 6, activation: 'tanh', layerNorm: true },
  ],
  outputSize: 3,
  init: 'he_uniform',
  seed: 4,
};
const batch = 7;
const rng = new Rng(123);
const x = randomArray(batch * spec.inputSize, rng);
const target = randomArray(batch * spec.outputSize, rng);
const loss: OutputLoss = meanSquaredError(target);

function trained(options: NetworkOptions = {}, networkSpec: NetworkSpec = spec): DenseNetwork {
  const net = createNetwork(networkSpec, options);
  for (let k = 0; k < 20; k++) net.trainStep({ input: x, batchSize: batch, loss });
  return net;
}

/** z_{l+1} = W_{l+1}·a_l + b_{l+1} in float64, per sample. */
function nextPreActivation(next: LayerWeights, a: Float32Array): Float64Array {
  const z = new Float64Array(batch * next.fanOut);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < next.fanOut; k++) {
      let s = next.bias[k];
      for (let i = 0; i < next.fanIn; i++) s += next.weight[k * next.fanIn + i] * a[b * next.fanIn + i];
      z[b * next.fanOut + k] = s;
    }
  }
  return z;
}

/** Entries touched by resetting `units` of hidden layer `layer`: parameter name → set of contract indices. */
function touchedEntries(net: DenseNetwork, layer: number, units: number[]): Map<string, Set<number>> {
  const weights = net.layerWeights();
  const own = weights[layer];
  const next = weights[layer + 1];
  const touched = new Map<string, Set<number>>();
  const add = (name: string, index: number) => {
    if (!touched.has(name)) touched.set(name, new Set());
    touched.get(name)!.add(index);
  };
  for (const i of units) {
    for (let j = 0; j < own.fanIn; j++) add(`${own.name}.weight`, i * own.fanIn + j);
    add(`${own.name}.bias`, i);
    if (own.layerNormGain) add(`${own.name}.layerNormGain`, i);
    if (own.layerNormBias) add(`${own.name}.layerNormBias`, i);
    for (let k = 0; k < next.fanOut; k++) add(`${next.name}.weight`, k * next.fanIn + i);
  }
  return touched;
}

function checkOptimizerState(before: OptimizerSnapshot, after: OptimizerSnapshot, touched: Map<string, Set<number>>): void {
  assert.deepEqual(Object.keys(after.slots).sort(), Object.keys(before.slots).sort());
  for (const [slot, record] of Object.entries(before.slots)) {
    for (const [name, values] of Object.entries(record)) {
      const now = after.slots[slot][name];
      const hit = touched.get(name) ?? new Set<number>();
      for (let k = 0; k < values.length; k++) {
        // Cleared = back to a fresh entry's value: 0, or 1 for Adam's running powers β^t.
        const fresh = slot.endsWith('Power') ? 1 : 0;
        if (hit.has(k)) assert.ok(now[k] === fresh, `${slot} ${name}[${k}] cleared, got ${now[k]}`);
        else assert.equal(now[k], values[k], `${slot} ${name}[${k}] unchanged`);
      }
      if (hit.size > 0) assert.ok([...hit].some((k) => values[k] !== (slot.endsWith('Power') ? 1 : 0)), `${slot} ${name} had state to clear`);
    }
  }
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('DenseNetwork.reinitializeUnits', () => {
      for (const transfer of [true, false]) {
        it(`changes the next pre-activation by exactly ${transfer ? 'W[:, i]·(ā_i − a_i(x)) with bias transfer' : '−W[:, i]·a_i(x) without bias transfer'}`, () => {
          const net = trained();
          const units = [2, 5];
          const abar = [0.3, -0.7];
          const beforeWeights = net.layerWeights();
          const beforeActs = net.forwardWithActivations(x, batch).activations;
          const zBefore = nextPreActivation(beforeWeights[1], beforeActs[0]);
          net.reinitializeUnits(0, units, transfer ? { biasTransfer: abar } : {});
          const afterWeights = net.layerWeights();
          const afterActs = net.forwardWithActivations(x, batch).activations;
          const zAfter = nextPreActivation(afterWeights[1], afterActs[0]);
          const W = beforeWeights[1];
          for (let b = 0; b < batch; b++) {
            for (let k = 0; k < W.fanOut; k++) {
              let expected = 0;
              units.forEach((i, u) => {
                expected += W.weight[k * W.fanIn + i] * ((transfer ? abar[u] : 0) - beforeActs[0][b * W.fanIn + i]);
              });
              const got = zAfter[b * W.fanOut + k] - zBefore[b * W.fanOut + k];
              assert.ok(Math.abs(got - expected) < 1e-5, `sample ${b} unit ${k}: Δz ${got} vs ${expected}`);
            }
          }
          // The reset units' incoming rows were redrawn within the He-uniform bound, biases zeroed, LN reset.
          const own = afterWeights[0];
          const bound = Math.sqrt(6 / own.fanIn);
          for (const i of units) {
            const row = own.weight.slice(i * own.fanIn, (i + 1) * own.fanIn);
            assert.ok(row.every((w) => Math.abs(w) <= bound) && row.some((w, j) => w !== beforeWeights[0].weight[i * own.fanIn + j]));
            assert.equal(own.bias[i], 0);
            for (let k = 0; k < W.fanOut; k++) assert.equal(afterWeights[1].weight[k * W.fanIn + i], 0);
          }
          net.dispose();
        });
      }

      it('clears the Adam moments and step counts at exactly the touched entries and changes no other parameter', () => {
        const net = trained();
        const units = [1, 4, 6];
        const before = net.state();
        net.reinitializeUnits(0, units, { biasTransfer: [0.1, 0.2, 0.3] });
        const after = net.state();
        const touched = touchedEntries(net, 0, units);
        checkOptimizerState(before.optimizer as OptimizerSnapshot, after.optimizer as OptimizerSnapshot, touched);
        assert.ok((before.optimizer as OptimizerSnapshot).slots.step['hidden0.weight'][0] === 20);
        for (const [name, values] of Object.entries(before.parameters)) {
          if (name === 'hidden1.bias') continue; // receives the bias transfer
          const hit = touched.get(name) ?? new Set<number>();
          values.forEach((v, k) => {
            if (!hit.has(k)) assert.equal(after.parameters[name][k], v, `${name}[${k}] unchanged`);
          });
        }
        net.dispose();
      });

      it('clears SGD momentum at the touched entries of the last hidden layer and its output column', () => {
        // Without LayerNorm on the reset layer (LayerNorm mixes a layer's units, so a redrawn unit moves the others).
        const plain: NetworkSpec = { ...spec, hidden: [spec.hidden[0], { units: 6, activation: 'tanh' }] };
        const net = trained({ optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 } }, plain);
        const before = net.state();
        const predictionBefore = net.predict(x, batch);
        const acts = net.forwardWithActivations(x, batch).activations[1];
        const W = net.layerWeights()[2];
        net.reinitializeUnits(1, [3]);
        checkOptimizerState(before.optimizer as OptimizerSnapshot, net.state().optimizer as OptimizerSnapshot, touchedEntries(net, 1, [3]));
        // The output is linear, so its change is −W_out[:, 3]·a_3(x).
        const predictionAfter = net.predict(x, batch);
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < W.fanOut; k++) {
            const expected = -W.weight[k * W.fanIn + 3] * acts[b * W.fanIn + 3];
            assert.ok(Math.abs(predictionAfter[b * W.fanOut + k] - predictionBefore[b * W.fanOut + k] - expected) < 1e-5);
          }
        }
        net.dispose();
      });

      it('resets the LayerNorm gain and bias of the reset units to 1 and 0 and clears their optimizer state', () => {
        const net = trained();
        const before = net.state();
        const gainBefore = before.parameters['hidden1.layerNormGain'];
        assert.ok(gainBefore[2] !== 1 && before.parameters['hidden1.layerNormBias'][2] !== 0);
        net.reinitializeUnits(1, [2, 4]);
        const after = net.layerWeights()[1];
        for (const i of [2, 4]) {
          assert.equal(after.layerNormGain![i], 1);
          assert.equal(after.layerNormBias![i], 0);
        }
        assert.equal(after.layerNormGain![0], gainBefore[0]);
        checkOptimizerState(before.optimizer as OptimizerSnapshot, net.state().optimizer as OptimizerSnapshot, touchedEntries(net, 1, [2, 4]));
        net.dispose();
      });

      it('restarts Adam bias correction for reset entries: their first update has magnitude ≈ lr', () => {
        const net = trained({ optimizer: { kind: 'adam', learningRate: 1e-3 } });
        net.reinitializeUnits(0, [0], { outgoing: 'redraw' });
        const before = net.layerWeights()[0];
        net.trainStep({ input: x, batchSize: batch, loss });
        const after = net.layerWeights()[0];
        for (let j = 0; j < before.fanIn; j++) {
          const step = Math.abs(after.weight[j] - before.weight[j]);
          assert.ok(Math.abs(step - 1e-3) < 2e-5, `first Adam step of a reset entry is lr·g/(|g|+ε) ≈ lr, got ${step}`);
        }
        net.dispose();
      });

      it('redraws the outgoing column from the next layer’s initialiser when asked', () => {
        const net = trained();
        net.reinitializeUnits(0, [0], { outgoing: 'redraw' });
        const next = net.layerWeights()[1];
        const column = Array.from({ length: next.fanOut }, (_, k) => next.weight[k * next.fanIn]);
        const bound = Math.sqrt(6 / next.fanIn);
        assert.ok(column.every((w) => w !== 0 && Math.abs(w) <= bound));
        net.dispose();
      });

      it('refuses the output layer, unknown units and mismatched bias transfers with clear errors', () => {
        const net = createNetwork(spec);
        const code = (f: () => void) => {
          try {
            f();
          } catch (error) {
            assert.ok(error instanceof PlasticdError, String(error));
            return error.code;
          }
          return 'no error';
        };
        assert.equal(code(() => net.reinitializeUnits(2, [0])), 'nn_reset_output_layer');
        assert.equal(code(() => net.reinitializeUnits(3, [0])), 'nn_invalid_layer');
        assert.equal(code(() => net.reinitializeUnits(0, [8])), 'nn_invalid_reset');
        assert.equal(code(() => net.reinitializeUnits(0, [1, 1])), 'nn_invalid_reset');
        assert.equal(code(() => net.reinitializeUnits(0, [1], { biasTransfer: [1, 2] })), 'nn_invalid_reset');
        const before = net.state();
        net.reinitializeUnits(0, []);
        assert.deepEqual(net.state(), before);
        net.dispose();
      });
    });
  });
}
