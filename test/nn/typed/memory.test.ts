import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TypedNetwork } from '../../../src/nn/typed/network.ts';
import { meanSquaredError } from '../../../src/nn/losses.ts';
import type { NetworkSpec } from '../../../src/nn/types.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JS heap plus typed-array backing stores (which live outside the heap). */
function usedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function heapAfterGc(): number {
  gc();
  gc();
  return usedBytes();
}

describe('TypedNetwork memory', () => {
  it('keeps a flat heap over 20,000 training steps (buffers preallocated, nothing retained per step)', () => {
    const spec: NetworkSpec = { name: 'heap', inputSize: 20, hidden: [{ units: 64, activation: 'tanh', layerNorm: true, dropout: 0.1 }, { units: 32, activation: 'relu' }], outputSize: 2, seed: 1 };
    const net = new TypedNetwork(spec, { regularizers: { l2: {}, shrinkPerturb: {} } });
    const input = Float32Array.from({ length: 40 }, (_, k) => Math.sin(k));
    const loss = meanSquaredError(new Float32Array([0.5, -0.5, 1, 0]));
    const references = [new Float32Array(64), null];
    const step = () => net.trainStep({ input, batchSize: 2, loss, references });
    for (let k = 0; k < 2000; k++) step(); // warm up: JIT, buffers
    const baseline = heapAfterGc();
    for (let k = 0; k < 20_000; k++) {
      step();
      if (k % 1000 === 0) net.reinitializeUnits(0, [k % 64], { biasTransfer: [0.1] });
    }
    const after = heapAfterGc();
    assert.ok(after - baseline < 256 * 1024, `heap grew by ${((after - baseline) / 1024).toFixed(0)} KiB over 20,000 steps`);
    assert.equal(net.updates, 22_000);
  });

  it('allocates per step only the StepTrace it returns (no per-step buffers)', () => {
    // 20-256-256-1: a parameter-sized buffer would be 280 KiB, the trace's stats are 18 KiB.
    const spec: NetworkSpec = { name: 'churn', inputSize: 20, hidden: [{ units: 256, activation: 'relu' }, { units: 256, activation: 'relu' }], outputSize: 1, seed: 2 };
    const net = new TypedNetwork(spec, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
    const input = Float32Array.from({ length: 20 }, (_, k) => (k % 3) - 1);
    const loss = meanSquaredError(new Float32Array([1]));
    for (let k = 0; k < 300; k++) net.trainStep({ input, batchSize: 1, loss });
    gc();
    const before = usedBytes();
    const steps = 200;
    for (let k = 0; k < steps; k++) net.trainStep({ input, batchSize: 1, loss });
    const perStep = (usedBytes() - before) / steps;
    const traceBytes = 2 * 9 * 256 * 4;
    assert.ok(perStep < traceBytes + 48 * 1024, `${perStep.toFixed(0)} bytes allocated per step (the trace's stats are ${traceBytes})`);
  });
});
