import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { ACTIVATIONS } from '../../src/nn/activations.ts';
import { huberLoss, meanSquaredError, oneHotRows, selectByMask, softmaxCrossEntropy } from '../../src/nn/losses.ts';
import type { Activation, NetworkSpec, OutputLoss } from '../../src/nn/types.ts';
import {
  assertClose,
  finiteDifferences,
  forward64,
  huber64,
  mse64,
  randomArray,
  referenceOf,
  selectedMse64,
  softmaxCrossEntropy64,
  useCpuBackend,
  type Loss64,
  type RefLayer,
} from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

/** Finite-difference gradient of the float64 reference loss for every parameter, keyed like NetworkState. */
function referenceGradients(net: DenseNetwork, x: Float32Array, batch: number, loss: Loss64): Record<string, Float64Array> {
  const layers: RefLayer[] = referenceOf(net);
  const names = [...net.hiddenLayers.map((h) => h.name), 'output'];
  const f = () => loss(forward64(layers, x, batch).output);
  const out: Record<string, Float64Array> = {};
  layers.forEach((layer, l) => {
    out[`${names[l]}.weight`] = finiteDifferences(layer.weight, f);
    out[`${names[l]}.bias`] = finiteDifferences(layer.bias, f);
    if (layer.gain) out[`${names[l]}.layerNormGain`] = finiteDifferences(layer.gain, f);
    if (layer.shift) out[`${names[l]}.layerNormBias`] = finiteDifferences(layer.shift, f);
  });
  return out;
}

function checkGradients(net: DenseNetwork, x: Float32Array, batch: number, loss: OutputLoss, loss64: Loss64): void {
  const reference = referenceOf(net);
  const expectedOutput = forward64(reference, x, batch).output;
  assertClose(net.predict(x, batch), expectedOutput, 1e-5, 1e-4, 'output');
  const { loss: value, gradients } = net.gradients(x, batch, loss);
  assert.ok(Math.abs(value - loss64(expectedOutput)) < 1e-5 + 1e-4 * Math.abs(value), `loss ${value}`);
  const expected = referenceGradients(net, x, batch, loss64);
  assert.deepEqual(Object.keys(gradients).sort(), Object.keys(expected).sort());
  let nonZero = 0;
  for (const [name, grad] of Object.entries(gradients)) {
    assertClose(grad, expected[name], 2e-5, 2e-3, name);
    nonZero += grad.filter((g) => g !== 0).length;
  }
  assert.ok(nonZero > 0, 'some gradient is nonzero');
}

function mse(target: Float32Array): OutputLoss {
  return meanSquaredError(target);
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('DenseNetwork gradients', () => {
      const batch = 3;
      const rng = new Rng(7);
      const x = randomArray(batch * 3, rng);
      const target = randomArray(batch * 2, rng);

      for (const activation of ACTIVATIONS) {
        it(`match float64 finite differences for ${activation} hidden and output activations`, () => {
          const net = createNetwork({
            name: 'g',
            inputSize: 3,
            hidden: [
              { units: 6, activation },
              { units: 5, activation },
            ],
            outputSize: 2,
            outputActivation: activation,
            init: 'xavier_normal',
            seed: 11,
          });
          checkGradients(net, x, batch, mse(target), mse64(target));
          net.dispose();
        });
      }

      it('match float64 finite differences through LayerNorm (gain and bias included, after some training)', () => {
        const hidden: { units: number; activation: Activation; layerNorm: boolean }[] = [
          { units: 5, activation: 'tanh', layerNorm: true },
          { units: 4, activation: 'relu', layerNorm: true },
        ];
        const net = createNetwork({ name: 'ln', inputSize: 3, hidden, outputSize: 2, seed: 3 }, { optimizer: { kind: 'sgd', learningRate: 0.1 } });
        for (let k = 0; k < 5; k++) net.trainStep({ input: x, batchSize: batch, loss: mse(target) });
        const gains = net.layerWeights()[0].layerNormGain!;
        assert.ok(gains.some((g) => g !== 1), 'training moved the LayerNorm gains away from 1');
        checkGradients(net, x, batch, mse(target), mse64(target));
        net.dispose();
      });

      describe('losses', () => {
        const spec = { name: 'l', inputSize: 3, hidden: [{ units: 5, activation: 'tanh' as const }], outputSize: 4, seed: 5, init: 'xavier_normal' as const };

        it('Huber (δ = 1) matches in both the quadratic and the linear branch', () => {
          const net = createNetwork(spec);
          const y = net.predict(x, batch);
          // Targets at distances 0.3 and 2.5 from the outputs: both branches are exercised.
          const huberTarget = y.map((v, k) => v + (k % 2 === 0 ? 0.3 : -2.5));
          checkGradients(net, x, batch, huberLoss(huberTarget), huber64(huberTarget));
          net.dispose();
        });

        it('softmax cross-entropy with one-hot labels matches', () => {
          const net = createNetwork(spec);
          const labels = oneHotRows([2, 0, 3], 4);
          checkGradients(net, x, batch, softmaxCrossEntropy(labels), softmaxCrossEntropy64(labels, 4));
          net.dispose();
        });

        it('softmax cross-entropy with Int32Array class indices matches the one-hot form', () => {
          const net = createNetwork(spec);
          const labels = oneHotRows([2, 0, 3], 4);
          checkGradients(net, x, batch, softmaxCrossEntropy(Int32Array.from([2, 0, 3])), softmaxCrossEntropy64(labels, 4));
          net.dispose();
        });

        it('masked Huber (DQN) averages over the batch only the selected Q(s, a), both branches', () => {
          const net = createNetwork(spec);
          const oneHot = oneHotRows([0, 2, 3], 4);
          const q = selectByMask(net.predict(x, batch), oneHot, batch);
          const targets = Float32Array.from(q, (v, b) => v + (b === 1 ? 3 : -0.4));
          const huberSelected64: Loss64 = (y) => {
            let s = 0;
            for (let b = 0; b < batch; b++) {
              let qb = 0;
              for (let c = 0; c < 4; c++) qb += y[b * 4 + c] * oneHot[b * 4 + c];
              const e = Math.abs(qb - targets[b]);
              s += e <= 1 ? 0.5 * e * e : e - 0.5;
            }
            return s / batch;
          };
          checkGradients(net, x, batch, huberLoss(targets, { mask: oneHot }), huberSelected64);
          const outputBias = net.gradients(x, batch, huberLoss(targets, { mask: oneHot })).gradients['output.bias'];
          assert.equal(outputBias[1], 0, 'no sample selected action 1');
          // The linear branch caps the selected gradient at δ/batch.
          assert.ok(Math.abs(outputBias[2] + 1 / batch) < 1e-6, `output.bias[2] = ${outputBias[2]}`);
          net.dispose();
        });

        it('selectByMask picks Q(s, a) and only the chosen actions get output gradients', () => {
          const net = createNetwork(spec);
          const actions = [1, 3, 1];
          const oneHot = oneHotRows(actions, 4);
          const targets = new Float32Array([0.5, -1, 2]);
          const loss: OutputLoss = meanSquaredError(targets, { mask: oneHot });
          checkGradients(net, x, batch, loss, selectedMse64(oneHot, targets, 4));
          const outputBias = net.gradients(x, batch, loss).gradients['output.bias'];
          assert.equal(outputBias[0], 0);
          assert.equal(outputBias[2], 0);
          assert.notEqual(outputBias[1], 0);
          const q = Array.from(selectByMask([1, 2, 3, 4], [0, 1, 1, 0], 2));
          assert.deepEqual(q, [2, 3]);
          net.dispose();
        });
      });
    });
  });
}
