import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { huberLoss } from '../../src/nn/losses.ts';
import type { NetworkSpec, StepTrace } from '../../src/nn/types.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

const spec: NetworkSpec = {
  name: 'resume',
  inputSize: 3,
  hidden: [
    { units: 6, activation: 'relu', dropout: 0.1 },
    { units: 5, activation: 'tanh', layerNorm: true },
  ],
  outputSize: 2,
  seed: 8,
};
const options: NetworkOptions = {
  optimizer: { kind: 'adam', learningRate: 3e-3, beta1: 0.99, beta2: 0.99, weightDecay: 1e-3, decoupledWeightDecay: true },
  regularizers: { l2: {}, l2Init: {}, wasserstein: {}, shrinkPerturb: {}, gradientNoise: { decay: 0.999 } },
};

/** A deterministic stream of batches (batch 2) and an occasional reset, the same for every network it drives. */
function drive(net: DenseNetwork, steps: number, seed: number): StepTrace[] {
  const rng = new Rng(seed);
  const traces: StepTrace[] = [];
  for (let k = 0; k < steps; k++) {
    const input = Float32Array.from({ length: 6 }, () => rng.normal());
    const target = Float32Array.from({ length: 4 }, () => rng.normal());
    traces.push(net.trainStep({ input, batchSize: 2, loss: huberLoss(target) }));
    if (k % 97 === 0) net.reinitializeUnits(k % 2, [rng.int(5)], { biasTransfer: [0.1] });
  }
  return traces;
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('Network state', () => {
      it('restore(state()) continues bit-identically for 1,000 steps (Adam, regularizers, dropout, resets)', () => {
        const original = createNetwork(spec, options);
        drive(original, 50, 1);
        const snapshot = original.state();
        assert.equal(snapshot.updates, 50);
        // A network with another seed and another optimizer, restored from the snapshot.
        const resumed = createNetwork({ ...spec, seed: 999 }, { optimizer: { kind: 'sgd', learningRate: 1 } });
        resumed.restore(snapshot);
        const a = drive(original, 1000, 2);
        const b = drive(resumed, 1000, 2);
        for (let k = 0; k < a.length; k++) {
          assert.equal(b[k].loss, a[k].loss, `loss at step ${k}`);
          assert.equal(b[k].updateNorm, a[k].updateNorm, `update norm at step ${k}`);
          assert.deepEqual(b[k].layers[0].stats, a[k].layers[0].stats);
        }
        // Everything but the spec (a network keeps its own spec; here the seed differs).
        assert.deepEqual({ ...resumed.state(), spec: null }, { ...original.state(), spec: null });
        assert.equal(resumed.updates, 1050);
        original.dispose();
        resumed.dispose();
      });

      it('clone() is an independent deep copy that trains like the original', () => {
        const original = createNetwork(spec, options);
        drive(original, 20, 3);
        const copy = original.clone();
        assert.deepEqual(copy.state(), original.state());
        const a = drive(copy, 30, 4);
        assert.equal(original.updates, 20);
        const b = drive(original, 30, 4);
        assert.deepEqual(
          a.map((t) => t.loss),
          b.map((t) => t.loss),
        );
        copy.reinitializeUnits(0, [0, 1, 2]);
        assert.notDeepEqual(copy.state().parameters, original.state().parameters);
        copy.dispose();
        assert.equal(original.predict(new Float32Array(3), 1).length, 2);
        original.dispose();
      });

      it('copyFrom() makes an existing network an exact copy that trains like the original, again and again', () => {
        const original = createNetwork(spec, options);
        // Another seed and history, then a learning-rate change: copyFrom must bring config and state over.
        const copy = createNetwork({ ...spec, seed: 77 }, options);
        drive(copy, 15, 9);
        for (const round of [0, 1]) {
          drive(original, 20 + round, 5 + round);
          original.setLearningRate(1e-3 * (round + 1));
          copy.copyFrom(original);
          assert.deepEqual({ ...copy.state(), spec: null }, { ...original.state(), spec: null }, `round ${round}`);
          const a = drive(copy, 30, 6);
          const b = drive(original, 30, 6);
          assert.deepEqual(a.map((t) => t.loss), b.map((t) => t.loss), `round ${round}`);
          assert.deepEqual(a.map((t) => t.layers[1].stats), b.map((t) => t.layers[1].stats), `round ${round}`);
        }
        const other = createNetwork({ ...spec, hidden: [{ units: 4, activation: 'relu' }] }, options);
        assert.throws(() => copy.copyFrom(other), (error: unknown) => error instanceof PlasticdError && error.code === 'nn_state_mismatch');
        for (const net of [original, copy, other]) net.dispose();
      });

      it('hands out parameters in the contract layout: weight rows are units, initial parameters stay fixed', () => {
        const net = createNetwork(spec, options);
        const initial = net.initialLayerWeights();
        const state = net.state();
        assert.deepEqual(Object.keys(state.parameters), [
          'hidden0.weight',
          'hidden0.bias',
          'hidden1.weight',
          'hidden1.bias',
          'hidden1.layerNormGain',
          'hidden1.layerNormBias',
          'output.weight',
          'output.bias',
        ]);
        assert.deepEqual(state.parameters['hidden1.weight'], initial[1].weight);
        // x = e_j picks column j of W0 (row i = unit i): a = relu(W0[:, j] + b).
        const w0 = initial[0];
        const act = net.forwardWithActivations(new Float32Array([0, 1, 0]), 1).activations[0];
        for (let i = 0; i < w0.fanOut; i++) assert.ok(Math.abs(act[i] - Math.max(0, w0.weight[i * w0.fanIn + 1] + w0.bias[i])) < 1e-6);
        drive(net, 5, 5);
        assert.deepEqual(net.initialLayerWeights(), initial);
        assert.notDeepEqual(net.layerWeights()[0].weight, initial[0].weight);
        net.dispose();
      });

      it('refuses a state from a different architecture with a clear error', () => {
        const net = createNetwork(spec);
        const other = createNetwork({ ...spec, hidden: [{ units: 7, activation: 'relu' }, spec.hidden[1]] });
        assert.throws(
          () => net.restore(other.state()),
          (error: unknown) => error instanceof PlasticdError && error.code === 'nn_state_mismatch',
        );
        net.dispose();
        other.dispose();
        assert.throws(() => net.predict(new Float32Array(3), 1), (error: unknown) => error instanceof PlasticdError && error.code === 'nn_disposed');
      });
    });
  });
}
