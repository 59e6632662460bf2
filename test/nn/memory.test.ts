import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createTfjsNetwork as createNetwork } from '../../src/nn/network.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

describe('DenseNetwork memory', () => {
  it('holds a flat tensor count over 10,000 steps, 1,000 surgeries and 100 state/restore cycles', () => {
    const empty = tf.memory().numTensors;
    const spec: NetworkSpec = { name: 'mem', inputSize: 2, hidden: [{ units: 3, activation: 'tanh', layerNorm: true, dropout: 0.2 }], outputSize: 1, seed: 1 };
    const net = createNetwork(spec, { regularizers: { l2Init: {}, wasserstein: {}, shrinkPerturb: {}, gradientNoise: {} } });
    const input = new Float32Array([0.5, -1]);
    const target = new Float32Array([0.25]);
    const step = () => net.trainStep({ input, batchSize: 1, loss: meanSquaredError(target), references: [new Float32Array(3)] });
    step();
    let baseline = tf.memory().numTensors;
    for (let k = 1; k < 10_000; k++) {
      // Regularizers on for the first 1,000 steps (every code path), then the cheaper plain step.
      step();
      if (k === 1000) {
        net.setRegularizers({}); // frees the initial-parameter tensors the regularizers needed
        assert.equal(tf.memory().numTensors, baseline - 2, 'the initial parameters and their sorted copy are freed');
        baseline = tf.memory().numTensors;
      }
      if (k % 10 === 0) net.reinitializeUnits(0, [k % 3], { biasTransfer: [0.1], outgoing: k % 20 === 0 ? 'redraw' : 'zero' });
      if (k % 100 === 0) {
        net.restore(net.state());
        net.clone().dispose();
        net.outputGxd(input, 1);
        net.forwardWithActivations(input, 1);
        net.evaluateLoss(input, 1, meanSquaredError(new Float32Array(1)));
        step(); // restore() drops the cached initial-parameter tensors; the next step rebuilds them
        assert.equal(tf.memory().numTensors, baseline, `tensor count after step ${k}`);
      }
    }
    assert.throws(() => net.reinitializeUnits(1, [0]));
    assert.throws(() => net.trainStep({ input, batchSize: 1, loss: () => new Float32Array(2) as unknown as number }));
    assert.equal(tf.memory().numTensors, baseline, 'no leak after failed calls');
    net.dispose();
    assert.equal(tf.memory().numTensors, empty, 'dispose() frees every tensor the network held');
  });
});
