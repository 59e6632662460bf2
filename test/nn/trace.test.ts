import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';
import type { NetworkOptions } from '../../src/nn/network.ts';
import { ENGINES, networkOn, type AnyNetwork as DenseNetwork, type Engine } from './engines.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import { TRACE_STATS, type OutputLoss, type NetworkSpec } from '../../src/nn/types.ts';
import { assertClose, finiteDifferences, forward64, mse64, randomArray, referenceOf, useCpuBackend, type Loss64 } from './reference-mlp.ts';

before(useCpuBackend);

/** The engine the cases below run on (set by the per-engine suite around them). */
let engine: Engine = 'tfjs';
const createNetwork = (spec: NetworkSpec, options?: NetworkOptions): DenseNetwork => networkOn(engine, spec, options);

const spec: NetworkSpec = {
  name: 'trace',
  inputSize: 4,
  hidden: [
    { units: 6, activation: 'tanh' },
    { units: 5, activation: 'relu', layerNorm: true },
  ],
  outputSize: 3,
  seed: 21,
};

/** ∂ℓ(x)/∂a_i(x) for every hidden unit and sample: B × the finite-difference gradient of the batch loss w.r.t. a probe. */
function perSampleGradients(net: DenseNetwork, x: Float32Array, batch: number, loss: Loss64, directionLoss = false, dropout?: (Float32Array | null)[]): Float64Array[] {
  const layers = referenceOf(net);
  const probes = net.hiddenLayers.map((h) => new Float64Array(batch * h.units));
  const f = () => loss(forward64(layers, x, batch, probes, dropout).output);
  return probes.map((p) => finiteDifferences(p, f).map((g) => (directionLoss ? g : g * batch)));
}

function expectedStats(a: Float64Array, g: Float64Array, r: Float32Array | null, batch: number, units: number): Float64Array[] {
  const rows = Array.from({ length: 7 }, () => new Float64Array(units));
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < units; i++) {
      const ai = a[b * units + i];
      const gi = g[b * units + i];
      const d = ai - (r ? r[i] : 0);
      rows[0][i] += Math.abs(ai) / batch;
      rows[1][i] += ai / batch;
      rows[2][i] += (ai > 0 ? 1 : 0) / batch;
      rows[3][i] += Math.abs(gi) / batch;
      rows[4][i] += Math.abs(gi * d) / batch;
      rows[5][i] += (gi * d) / batch;
      rows[6][i] += Math.abs(d) / batch;
    }
  }
  return rows;
}

for (const current of ENGINES) {
  describe(`${current} engine`, () => {
    before(() => {
      engine = current;
    });

    describe('StepTrace', () => {
      const batch = 5;
      const rng = new Rng(99);
      const x = randomArray(batch * spec.inputSize, rng);
      const target = randomArray(batch * spec.outputSize, rng);
      const loss: OutputLoss = meanSquaredError(target);

      it('gives per-unit statistics equal to a direct float64 per-sample computation', () => {
        const net = createNetwork(spec, { optimizer: { kind: 'sgd', learningRate: 0.1 } });
        const references = [Float32Array.from({ length: 6 }, (_, i) => 0.1 * i - 0.2), null];
        const reference = forward64(referenceOf(net), x, batch);
        const grads = perSampleGradients(net, x, batch, mse64(target));
        const lossBefore = mse64(target)(reference.output);
        const gradNorm = Math.hypot(...Object.values(net.gradients(x, batch, loss).gradients).flatMap((g) => Array.from(g)));

        const trace = net.trainStep({ input: x, batchSize: batch, loss, references });
        assert.equal(trace.network, 'trace');
        assert.equal(trace.step, 1);
        assert.equal(trace.batchSize, batch);
        assert.ok(Math.abs(trace.loss - lossBefore) < 1e-5, `loss ${trace.loss} vs ${lossBefore}`);
        assert.ok(Math.abs(trace.gradNorm - gradNorm) < 1e-5 * gradNorm);
        // Plain SGD: the update is lr × the gradient.
        assert.ok(Math.abs(trace.updateNorm - 0.1 * gradNorm) < 1e-5 * gradNorm);

        const after = net.layerWeights();
        assert.equal(trace.layers.length, 2);
        trace.layers.forEach((layer, l) => {
          const units = spec.hidden[l].units;
          assert.equal(layer.units, units);
          assert.equal(layer.name, `hidden${l}`);
          assert.equal(layer.stats.length, TRACE_STATS.length * units);
          const rows = expectedStats(reference.activations[l], grads[l], references[l], batch, units);
          rows.forEach((expected, r) => assertClose(layer.row(TRACE_STATS[r]), expected, 2e-5, 2e-3, `layer ${l} ${TRACE_STATS[r]}`));
          // Weight rows are measured after the update.
          const w = after[l];
          const next = after[l + 1];
          const incoming = Array.from({ length: units }, (_, i) => w.weight.slice(i * w.fanIn, (i + 1) * w.fanIn).reduce((s, v) => s + Math.abs(v), 0) / w.fanIn);
          const outgoing = Array.from({ length: units }, (_, i) => {
            let s = 0;
            for (let k = 0; k < next.fanOut; k++) s += Math.abs(next.weight[k * next.fanIn + i]);
            return s / next.fanOut;
          });
          assertClose(layer.row('meanAbsIncomingWeight'), incoming, 1e-6, 1e-5, `layer ${l} incoming`);
          assertClose(layer.row('meanAbsOutgoingWeight'), outgoing, 1e-6, 1e-5, `layer ${l} outgoing`);
        });
        // gxd ≥ |gxdSigned| always; and the ReLU layer has some inactive samples.
        for (const layer of trace.layers) {
          const gxd = layer.row('gxd');
          layer.row('gxdSigned').forEach((s, i) => assert.ok(gxd[i] >= Math.abs(s) - 1e-7));
        }
        assert.equal(net.trainStep({ input: x, batchSize: batch, loss }).step, 2);
        net.dispose();
      });

      it('computes the dropout forward pass from the network Rng and traces the pre-dropout activations', () => {
        const dropSpec: NetworkSpec = { ...spec, hidden: [{ units: 6, activation: 'tanh', dropout: 0.5 }, { units: 5, activation: 'relu' }] };
        const net = createNetwork(dropSpec, { optimizer: { kind: 'sgd', learningRate: 0 } });
        const rngCopy = Rng.fromState(net.state().rng);
        const masks = dropSpec.hidden.map((h) => {
          if (!h.dropout) return null;
          return Float32Array.from({ length: batch * h.units }, () => (rngCopy.random() < h.dropout! ? 0 : 1 / (1 - h.dropout!)));
        });
        assert.ok(masks[0]!.some((m) => m === 0) && masks[0]!.some((m) => m === 2));
        const reference = forward64(referenceOf(net), x, batch, undefined, masks);
        const grads = perSampleGradients(net, x, batch, mse64(target), false, masks);
        const trace = net.trainStep({ input: x, batchSize: batch, loss });
        assert.ok(Math.abs(trace.loss - mse64(target)(reference.output)) < 1e-5);
        trace.layers.forEach((layer, l) => {
          const rows = expectedStats(reference.activations[l], grads[l], null, batch, dropSpec.hidden[l].units);
          rows.forEach((expected, r) => assertClose(layer.row(TRACE_STATS[r]), expected, 2e-5, 2e-3, `layer ${l} ${TRACE_STATS[r]}`));
        });
        // Prediction never drops units.
        assertClose(net.predict(x, batch), forward64(referenceOf(net), x, batch).output, 1e-5, 1e-4, 'predict');
        net.dispose();
      });

      it('outputGxd is the RMS over samples of (v·∂f/∂a)(a − r) for a fresh Gaussian direction per sample', () => {
        const net = createNetwork(spec);
        const references = [null, Float32Array.from({ length: 5 }, () => 0.25)];
        const rngCopy = Rng.fromState(net.state().rng);
        const v = Float64Array.from({ length: batch * spec.outputSize }, () => rngCopy.normal());
        const readout: Loss64 = (y) => y.reduce((s, yk, k) => s + yk * v[k], 0);
        const grads = perSampleGradients(net, x, batch, readout, true);
        const reference = forward64(referenceOf(net), x, batch);
        const utilities = net.outputGxd(x, batch, references);
        assert.equal(utilities.length, 2);
        utilities.forEach((u, l) => {
          const units = spec.hidden[l].units;
          const expected = Array.from({ length: units }, (_, i) => {
            let s = 0;
            for (let b = 0; b < batch; b++) s += (grads[l][b * units + i] * (reference.activations[l][b * units + i] - (references[l]?.[i] ?? 0))) ** 2;
            return Math.sqrt(s / batch);
          });
          assertClose(u, expected, 2e-5, 2e-3, `layer ${l} GXD-F`);
        });
        // A new direction is drawn each call.
        assert.notDeepEqual(net.outputGxd(x, batch, references), utilities);
        net.dispose();
      });

      it('evaluateLoss matches the trained loss without changing anything', () => {
        const net = createNetwork(spec);
        const before = net.state();
        const value = net.evaluateLoss(x, batch, loss);
        assert.ok(Math.abs(value - mse64(target)(forward64(referenceOf(net), x, batch).output)) < 1e-5);
        assert.deepEqual(net.state().parameters, before.parameters);
        assert.equal(net.updates, 0);
        net.dispose();
      });
    });
  });
}
