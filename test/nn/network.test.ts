import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import { INITIALIZERS } from '../../src/nn/initializers.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { Initializer, NetworkSpec } from '../../src/nn/types.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

function stats(values: Float32Array): { mean: number; std: number; maxAbs: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std, maxAbs: values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('DenseNetwork initialisation', () => {
      const fanIn = 200;
      const fanOut = 100;
      const expected: Record<Initializer, { std: number; bound?: number; bias: boolean }> = {
        he_uniform: { std: Math.sqrt(2 / fanIn), bound: Math.sqrt(6 / fanIn), bias: false },
        he_normal: { std: Math.sqrt(2 / fanIn), bias: false },
        lecun_uniform: { std: Math.sqrt(1 / fanIn), bound: Math.sqrt(3 / fanIn), bias: false },
        lecun_normal: { std: Math.sqrt(1 / fanIn), bias: false },
        xavier_uniform: { std: Math.sqrt(2 / (fanIn + fanOut)), bound: Math.sqrt(6 / (fanIn + fanOut)), bias: false },
        xavier_normal: { std: Math.sqrt(2 / (fanIn + fanOut)), bias: false },
        torch_default: { std: 1 / Math.sqrt(3 * fanIn), bound: 1 / Math.sqrt(fanIn), bias: true },
      };
      for (const init of INITIALIZERS) {
        it(`draws ${init} weights with the PyTorch scale`, () => {
          const net = createNetwork({ name: 'init', inputSize: fanIn, hidden: [{ units: fanOut, activation: 'relu', init }], outputSize: 1, seed: 5 });
          const layer = net.layerWeights()[0];
          const s = stats(layer.weight);
          const e = expected[init];
          assert.ok(Math.abs(s.std / e.std - 1) < 0.02, `std ${s.std} vs ${e.std}`);
          assert.ok(Math.abs(s.mean) < 0.05 * e.std);
          if (e.bound) assert.ok(s.maxAbs <= e.bound && s.maxAbs > 0.99 * e.bound);
          else assert.ok(s.maxAbs > 3 * e.std, 'normal draws have tails');
          const biases = stats(layer.bias);
          if (e.bias) assert.ok(biases.maxAbs > 0 && biases.maxAbs <= e.bound!);
          else assert.equal(biases.maxAbs, 0);
          net.dispose();
        });
      }

      it('gives identical parameters for the same seed and different ones for another seed', () => {
        const spec: NetworkSpec = { name: 'seed', inputSize: 3, hidden: [{ units: 4, activation: 'relu' }], outputSize: 2, seed: 17 };
        const a = createNetwork(spec);
        const b = createNetwork(spec);
        const c = createNetwork({ ...spec, seed: 18 });
        assert.deepEqual(a.layerWeights(), b.layerWeights());
        assert.notDeepEqual(a.layerWeights(), c.layerWeights());
        assert.deepEqual(a.initialLayerWeights(), a.layerWeights());
        for (const net of [a, b, c]) net.dispose();
      });
    });

    describe('DenseNetwork spec and inputs', () => {
      const base: NetworkSpec = { name: 'v', inputSize: 2, hidden: [{ units: 3, activation: 'relu' }], outputSize: 1, seed: 1 };
      const codeOf = (f: () => unknown): string => {
        try {
          f();
        } catch (error) {
          assert.ok(error instanceof PlasticdError, String(error));
          return error.code;
        }
        return 'no error';
      };

      it('rejects malformed specs with a message naming the field', () => {
        assert.equal(codeOf(() => createNetwork({ ...base, inputSize: 0 })), 'nn_invalid_spec');
        assert.equal(codeOf(() => createNetwork({ ...base, hidden: [{ units: 2.5, activation: 'relu' }] })), 'nn_invalid_spec');
        assert.equal(codeOf(() => createNetwork({ ...base, hidden: [{ units: 2, activation: 'softplus' as 'relu' }] })), 'nn_invalid_spec');
        assert.equal(codeOf(() => createNetwork({ ...base, hidden: [{ units: 2, activation: 'relu', dropout: 1 }] })), 'nn_invalid_spec');
        assert.equal(codeOf(() => createNetwork({ ...base, hidden: [{ units: 2, activation: 'relu', name: 'output' }] })), 'nn_invalid_spec');
        assert.equal(codeOf(() => createNetwork(base, { optimizer: { kind: 'sgd', learningRate: -1 } })), 'nn_invalid_optimizer');
        assert.throws(() => createNetwork({ ...base, init: 'orthogonal' as Initializer }), /unknown initialiser "orthogonal"/);
      });

      it('rejects inputs of the wrong size and losses that are not scalars, leaving the network usable', () => {
        const net = createNetwork(base);
        assert.equal(codeOf(() => net.predict(new Float32Array(3), 1)), 'nn_bad_input');
        assert.equal(codeOf(() => net.predict(new Float32Array(2), 0)), 'nn_bad_input');
        const count = tf.memory().numTensors;
        assert.equal(codeOf(() => net.trainStep({ input: new Float32Array(2), batchSize: 1, loss: (o) => o as unknown as number })), 'nn_bad_loss');
        assert.throws(() => net.trainStep({ input: new Float32Array(2), batchSize: 1, loss: () => { throw new Error('boom'); } }), /boom/);
        assert.equal(tf.memory().numTensors, count);
        assert.equal(net.updates, 0);
        assert.equal(net.predict(new Float32Array(2), 1).length, 1);
        net.dispose();
      });

      it('runs without hidden layers (a linear model) and reports no layer traces', () => {
        const net = createNetwork({ ...base, hidden: [] }, { optimizer: { kind: 'sgd', learningRate: 0.1 } });
        const trace = net.trainStep({ input: new Float32Array([1, 2]), batchSize: 1, loss: meanSquaredError(new Float32Array(1)) });
        assert.equal(trace.layers.length, 0);
        assert.ok(trace.gradNorm > 0);
        assert.throws(() => net.reinitializeUnits(0, [0]), /output layer/);
        assert.deepEqual(net.outputGxd(new Float32Array(2), 1), []);
        net.dispose();
      });
    });
  });
}
