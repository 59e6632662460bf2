import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../src/util/rng.ts';
import { ACTIVATIONS } from '../../src/nn/activations.ts';
import { createTfjsNetwork as createNetwork } from '../../src/nn/network.ts';
import { huberLoss } from '../../src/nn/losses.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { assertClose } from './reference-mlp.ts';

/** Trains every feature (all activations, LayerNorm, dropout, regularizers, resets) and records what comes out. */
function run(): { losses: number[]; stats: number[]; gxd: number[]; weights: number[] } {
  const spec: NetworkSpec = {
    name: 'xb',
    inputSize: 3,
    hidden: ACTIVATIONS.map((activation, l) => ({ units: 4, activation, layerNorm: l % 2 === 1, dropout: l === 2 ? 0.25 : 0 })),
    outputSize: 2,
    seed: 12,
  };
  const net = createNetwork(spec, { regularizers: { l2: {}, l2Init: {}, wasserstein: {}, shrinkPerturb: {}, gradientNoise: {} } });
  const rng = new Rng(3);
  const losses: number[] = [];
  const stats: number[] = [];
  for (let k = 0; k < 20; k++) {
    const input = Float32Array.from({ length: 12 }, () => rng.normal());
    const target = Float32Array.from({ length: 8 }, () => rng.normal());
    const trace = net.trainStep({ input, batchSize: 4, loss: huberLoss(target) });
    losses.push(trace.loss);
    stats.push(...trace.layers.flatMap((l) => Array.from(l.stats)));
    if (k % 5 === 0) net.reinitializeUnits(k % 8, [k % 4], { biasTransfer: [0.2] });
  }
  const gxd = net.outputGxd(new Float32Array(12).fill(0.3), 4).flatMap((u) => Array.from(u));
  const weights = net.layerWeights().flatMap((w) => Array.from(w.weight));
  net.dispose();
  return { losses, stats, gxd, weights };
}

describe('DenseNetwork on the wasm backend', () => {
  it('trains like the cpu oracle (every activation, LayerNorm, dropout, regularizers, resets)', async () => {
    await tf.setBackend('cpu');
    const cpu = run();
    assert.ok(await tf.setBackend('wasm'), 'wasm backend initialises');
    const wasm = run();
    assertClose(wasm.losses, cpu.losses, 1e-4, 1e-3, 'loss');
    assertClose(wasm.stats, cpu.stats, 1e-4, 1e-2, 'trace stats');
    assertClose(wasm.gxd, cpu.gxd, 1e-4, 1e-2, 'GXD-F');
    assertClose(wasm.weights, cpu.weights, 1e-4, 1e-3, 'weights');
  });
});
