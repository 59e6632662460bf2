import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import { ParameterLayout } from '../../src/nn/parameter-layout.ts';
import { resolveRegularizers, sortedInitialParameters, wassersteinTarget, type RegularizerConfig } from '../../src/nn/regularizers.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { OutputLoss, NetworkSpec } from '../../src/nn/types.ts';
import { useCpuBackend } from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

const spec: NetworkSpec = { name: 'reg', inputSize: 4, hidden: [{ units: 16, activation: 'tanh' }], outputSize: 4, seed: 2 };
const input = new Float32Array([0.5, -1, 0.25, 2]);
const target = new Float32Array([1, 0, -1, 0.5]);
const fit: OutputLoss = meanSquaredError(target);
/** A loss with zero gradient everywhere: only the regularizers move the parameters. */
const flat: OutputLoss = () => 0;

function flatParameters(net: DenseNetwork): Float32Array {
  return Float32Array.from(Object.values(net.state().parameters).flatMap((p) => Array.from(p)));
}
function flatInitial(net: DenseNetwork): Float32Array {
  return Float32Array.from(Object.values(net.state().initialParameters).flatMap((p) => Array.from(p)));
}
function sgdNet(regularizers: RegularizerConfig): DenseNetwork {
  return createNetwork(spec, { optimizer: { kind: 'sgd', learningRate: 0.1 }, regularizers });
}
function moved(): DenseNetwork {
  const net = sgdNet({});
  for (let k = 0; k < 10; k++) net.trainStep({ input, batchSize: 1, loss: fit });
  return net;
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('Regularizers', () => {
      it('L2 shrinks every parameter by (1 − lr·λ) per step', () => {
        const net = moved();
        net.setRegularizers({ l2: { strength: 0.5 } });
        const before = flatParameters(net);
        net.trainStep({ input, batchSize: 1, loss: flat });
        flatParameters(net).forEach((p, k) => assert.ok(Math.abs(p - before[k] * (1 - 0.1 * 0.5)) < 1e-7));
        net.dispose();
      });

      it('L2 Init pulls toward the initial parameters: θ − θ0 shrinks by (1 − 2·lr·λ)', () => {
        const net = moved();
        net.setRegularizers({ l2Init: { strength: 0.5 } });
        const before = flatParameters(net);
        const initial = flatInitial(net);
        assert.ok(before.some((p, k) => p !== initial[k]));
        net.trainStep({ input, batchSize: 1, loss: flat });
        flatParameters(net).forEach((p, k) => assert.ok(Math.abs(p - initial[k] - (before[k] - initial[k]) * (1 - 2 * 0.1 * 0.5)) < 1e-6));
        net.dispose();
      });

      it('Wasserstein-to-init pulls the entry of rank j toward the j-th smallest initial value of the same tensor', () => {
        const layout = new ParameterLayout([{ name: 'l', fanIn: 1, fanOut: 3, layerNorm: false }]);
        // weight [0.5, -1, 2] (ranks 1, 0, 2), bias [3, 1, 2]; initial weight [10, 30, 20], bias [0, 0, 9].
        const target = tf.tidy(() => {
          const sorted = sortedInitialParameters(layout, new Float32Array([10, 30, 20, 0, 0, 9]));
          return wassersteinTarget(layout, tf.tensor1d([0.5, -1, 2, 3, 1, 2]), sorted).arraySync();
        });
        assert.deepEqual(target, [20, 10, 30, 9, 0, 0]);
        // A permutation of the initial weights within each tensor costs nothing.
        const net = sgdNet({ wasserstein: { strength: 1 } });
        const before = flatParameters(net);
        net.trainStep({ input, batchSize: 1, loss: flat });
        assert.deepEqual(flatParameters(net), before);
        net.dispose();
      });

      it('Shrink & Perturb scales by p after the step and adds N(0, σ²) noise from the network Rng', () => {
        const shrinkOnly = moved();
        shrinkOnly.setRegularizers({ shrinkPerturb: { shrink: 0.9, noiseStd: 0 } });
        const before = flatParameters(shrinkOnly);
        shrinkOnly.trainStep({ input, batchSize: 1, loss: flat });
        flatParameters(shrinkOnly).forEach((p, k) => assert.ok(Math.abs(p - 0.9 * before[k]) < 1e-7));

        const noisy = sgdNet({ shrinkPerturb: { shrink: 1, noiseStd: 0.01 } });
        const start = flatParameters(noisy);
        noisy.trainStep({ input, batchSize: 1, loss: flat });
        const residual = flatParameters(noisy).map((p, k) => p - start[k]);
        const mean = residual.reduce((s, r) => s + r, 0) / residual.length;
        const std = Math.sqrt(residual.reduce((s, r) => s + (r - mean) ** 2, 0) / residual.length);
        assert.ok(residual.length > 100);
        assert.ok(Math.abs(std - 0.01) < 0.0015, `noise std ${std}`);
        assert.ok(Math.abs(mean) < 0.003);
        shrinkOnly.dispose();
        noisy.dispose();
      });

      it('noisy gradients add noise proportional to the gradient norm, decaying as σ0·γ^t', () => {
        const clean = sgdNet({});
        const noisy = sgdNet({ gradientNoise: { initialScale: 0.5, decay: 0.5 } });
        // Zero gradient ⇒ zero noise.
        const still = flatParameters(noisy);
        noisy.trainStep({ input, batchSize: 1, loss: flat });
        assert.deepEqual(flatParameters(noisy), still);
        clean.trainStep({ input, batchSize: 1, loss: flat });
        // Step 2 (t = 1): noise σ = 0.5·0.5·‖g‖ on top of the clean SGD step.
        const before = flatParameters(noisy);
        const trace = clean.trainStep({ input, batchSize: 1, loss: fit });
        noisy.trainStep({ input, batchSize: 1, loss: fit });
        const difference = flatParameters(noisy).map((p, k) => (p - flatParameters(clean)[k]) / 0.1);
        assert.deepEqual(flatParameters(clean).length, before.length);
        const std = Math.sqrt(difference.reduce((s, d) => s + d * d, 0) / difference.length);
        assert.ok(Math.abs(std / (0.25 * trace.gradNorm) - 1) < 0.15, `relative noise ${std / trace.gradNorm}`);
        clean.dispose();
        noisy.dispose();
      });

      it('applies documented defaults and rejects negative strengths', () => {
        const resolved = resolveRegularizers({ l2: {}, l2Init: {}, wasserstein: {}, shrinkPerturb: {}, gradientNoise: {} });
        assert.deepEqual(resolved, { l2: 1e-4, l2Init: 1e-2, wasserstein: 1e-2, shrink: 1 - 1e-4, perturbStd: 1e-5, noiseScale: 0.01, noiseDecay: 0.99 });
        assert.throws(() => resolveRegularizers({ l2: { strength: -1 } }), PlasticdError);
      });
    });
  });
}
