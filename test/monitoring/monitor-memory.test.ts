import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import { Monitor } from '../../monitoring/monitor.ts';
import { createNetwork, createTfjsNetwork } from '../../src/nn/index.ts';
import type { NetworkSpec } from '../../src/nn/types.ts';
import { Rng } from '../../src/util/rng.ts';
import { useCpuBackend } from '../nn/reference-mlp.ts';
import { Teacher, trainWithMonitor } from './monitor-fixture.ts';

before(useCpuBackend);

const spec: NetworkSpec = { name: 'model', inputSize: 4, hidden: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'tanh' }], outputSize: 2, seed: 1 };
const config = {
  windowLength: 200,
  probeSize: 64,
  resetPolicy: { kind: 'replacement-rate' as const, replacementRate: 0.01, maturityThreshold: 20 },
  audit: { everyWindows: 2, units: 6 },
  curvature: { everyWindows: 1, samples: 2 },
};

describe('Monitor memory', () => {
  it('keeps the tfjs tensor count flat across thousands of steps, windows, resets and audits', () => {
    const net = createTfjsNetwork(spec, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
    const monitor = new Monitor({ networks: { model: net }, config, rng: new Rng(1) });
    const teacher = new Teacher(4, 2, 2);
    const heldOut = { ...teacher.batch(16), batchSize: 16 };
    const first = trainWithMonitor(net, monitor, teacher, { from: 0, to: 200, batchSize: 4, heldOut });
    const baseline = tf.memory().numTensors;
    let resets = first.events.length;
    let audits = 0;
    for (let from = 200; from < 2000; from += 200) {
      const { events, reports } = trainWithMonitor(net, monitor, teacher, { from, to: from + 200, batchSize: 4, heldOut });
      resets += events.length;
      audits += reports.filter((r) => r.audit.length > 0).length;
      assert.equal(tf.memory().numTensors, baseline, `tensors after step ${from + 200}`);
    }
    assert.ok(resets > 10 && audits >= 4, `exercised resets (${resets}) and audits (${audits})`);
    net.dispose();
  });

  it('keeps the heap flat with the typed engine', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const net = createNetwork(spec, { engine: 'typed', optimizer: { kind: 'adam', learningRate: 1e-3 } });
    const monitor = new Monitor({ networks: { model: net }, config, rng: new Rng(1) });
    const teacher = new Teacher(4, 2, 2);
    trainWithMonitor(net, monitor, teacher, { from: 0, to: 1000, batchSize: 4 });
    gc();
    const before = process.memoryUsage().heapUsed;
    trainWithMonitor(net, monitor, teacher, { from: 1000, to: 4000, batchSize: 4 });
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    assert.ok(growth < 2 * 1024 * 1024, `heap grew by ${(growth / 1024).toFixed(0)} KiB over 3,000 steps and 12 windows`);
    net.dispose();
  });
});
