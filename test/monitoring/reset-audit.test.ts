import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Monitor } from '../../monitoring/monitor.ts';
import { runResetAudit } from '../../monitoring/reset-audit.ts';
import { createNetwork, createTfjsNetwork } from '../../src/nn/index.ts';
import { meanSquaredError } from '../../src/nn/losses.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';
import { useCpuBackend } from '../nn/reference-mlp.ts';
import { Teacher, trainWithMonitor } from './monitor-fixture.ts';

before(useCpuBackend);

const regression: NetworkSpec = {
  name: 'model',
  inputSize: 8,
  hidden: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }],
  outputSize: 1,
  seed: 2,
};

describe('Reset audit', () => {
  it('ranks realised reset costs: GXD correlates positively and above the random criterion on a regression network', (t) => {
    const net = createNetwork(regression, { engine: 'typed', optimizer: { kind: 'adam', learningRate: 3e-3 } });
    const monitor = new Monitor({
      networks: { model: net },
      config: {
        windowLength: 500,
        probeSize: 256,
        resetPolicy: { kind: 'none' },
        criteria: ['gxd', 'contribution', 'activation', 'gradient'],
        audit: { everyWindows: 4, units: 64 },
        curvature: null,
      },
      rng: new Rng(4),
    });
    const teacher = new Teacher(8, 1, 3);
    const heldOut = { ...new Teacher(8, 1, 3).batch(256), batchSize: 256 };
    heldOut.target = teacher.targets(heldOut.input, 256);
    const { reports } = trainWithMonitor(net, monitor, teacher, { from: 0, to: 2000, batchSize: 16, heldOut });
    const audit = reports[3].audit[0];
    assert.equal(audit.sampledUnits, 64);
    t.diagnostic(`loss Spearman ${JSON.stringify(audit.lossCorrelation)}`);
    t.diagnostic(`output Spearman ${JSON.stringify(audit.outputCorrelation)}`);
    t.diagnostic(`held-out loss ${monitor.lastAudit()[0].baselineLoss}`);
    assert.ok(audit.lossCorrelation.gxd > 0.5, `GXD-L vs |Δloss|: ${audit.lossCorrelation.gxd}`);
    assert.ok(audit.lossCorrelation.gxd > audit.lossCorrelation.random + 0.3, 'GXD beats random on the loss');
    assert.ok(audit.outputCorrelation['gxd-f'] > 0.5, `GXD-F vs output change: ${audit.outputCorrelation['gxd-f']}`);
    assert.ok(audit.outputCorrelation['gxd-f'] > audit.outputCorrelation.random + 0.3, 'GXD-F beats random on the output');
    net.dispose();
  });

  it('measures a reset exactly: the output moves by W_out[:, i]·(ā_i − a_i(x)) and the loss accordingly', () => {
    const spec: NetworkSpec = { name: 'model', inputSize: 3, hidden: [{ units: 5, activation: 'tanh' }], outputSize: 2, seed: 6 };
    const net = createNetwork(spec, { engine: 'typed', optimizer: { kind: 'sgd', learningRate: 0.05 } });
    const monitor = new Monitor({ networks: { model: net }, config: { resetPolicy: { kind: 'none' }, audit: null }, rng: new Rng(1) });
    const teacher = new Teacher(3, 2, 8);
    trainWithMonitor(net, monitor, teacher, { from: 0, to: 200, batchSize: 4 });
    const { input, target } = teacher.batch(16);
    const tracker = monitor.tracker('model');
    const result = runResetAudit({ network: net, tracker, input, batchSize: 16, loss: meanSquaredError(target), units: 5, rng: new Rng(3), outputGxd: true });

    const { output, activations } = net.forwardWithActivations(input, 16);
    const readout = net.layerWeights()[1];
    const means = tracker.meanActivations(0);
    const mse = (y: ArrayLike<number>) => Array.from(y).reduce((s, v, k) => s + (v - target[k]) ** 2, 0) / y.length;
    assert.equal(result.units.length, 5);
    assert.deepEqual(result.units.map((u) => u.unit).sort(), [0, 1, 2, 3, 4]);
    for (const audited of result.units) {
      const i = audited.unit;
      const moved = Float64Array.from(output, (y, k) => {
        const [b, c] = [Math.floor(k / 2), k % 2];
        return y + readout.weight[c * 5 + i] * (means[i] - activations[0][b * 5 + i]);
      });
      const rms = Math.sqrt(moved.reduce((s, y, k) => s + (y - output[k]) ** 2, 0) / moved.length);
      assert.ok(Math.abs(audited.outputChange - rms) < 1e-5 + 1e-4 * rms, `unit ${i}: ${audited.outputChange} vs ${rms}`);
      const lossChange = mse(moved) - mse(output);
      assert.ok(Math.abs(audited.lossChange! - lossChange) < 1e-5 + 1e-3 * Math.abs(lossChange), `unit ${i}: Δloss ${audited.lossChange} vs ${lossChange}`);
      assert.deepEqual(Object.keys(audited.predicted).sort(), ['activation', 'contribution', 'gradient', 'gxd', 'gxd-f', 'random']);
    }
    net.dispose();
  });

  it('audits a seeded sample across layers on copies it disposes, leaving the live network as it was (tfjs)', () => {
    const net = createTfjsNetwork(regression, { optimizer: { kind: 'adam', learningRate: 3e-3 } });
    const monitor = new Monitor({ networks: { model: net }, config: { resetPolicy: { kind: 'none' }, audit: null }, rng: new Rng(1) });
    trainWithMonitor(net, monitor, new Teacher(8, 1, 3), { from: 0, to: 50, batchSize: 8 });
    const input = new Teacher(8, 1, 4).batch(32).input;
    const state = net.state();
    const tensors = tf.memory().numTensors;
    const audit = (seed: number) =>
      runResetAudit({ network: net, tracker: monitor.tracker('model'), input, batchSize: 32, units: 12, rng: new Rng(seed), outputGxd: true });
    const first = audit(9);
    assert.equal(tf.memory().numTensors, tensors, 'every copy is disposed');
    assert.deepEqual(net.state(), state, 'the live network is untouched (parameters, optimizer, RNG)');
    assert.deepEqual(audit(9).units, first.units, 'same seed, same sample and costs');
    assert.notDeepEqual(audit(10).units.map((u) => [u.layer, u.unit]), first.units.map((u) => [u.layer, u.unit]));
    assert.deepEqual([...new Set(first.units.map((u) => u.layer))].sort(), [0, 1], 'both hidden layers are sampled');
    assert.deepEqual(first.report.lossCorrelation, {}, 'no loss, no loss correlation');
    assert.ok(first.units.every((u) => u.lossChange === null));
    assert.equal(first.report.sampledUnits, 12);
    net.dispose();
  });
});
