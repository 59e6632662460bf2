import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunningMeanStd } from '../../../envs/wrappers/running-mean-std.ts';

// Reference values computed with NumPy 2.4 running Gymnasium's RunningMeanStd on float32 arrays.
const OBSERVATIONS = [
  [0.01, -0.5, 3.25, 100.0],
  [0.02, 0.7, -1.5, 90.0],
  [-0.3, 0.1, 2.0, 110.0],
  [1e-3, -2.0, 0.0, 95.5],
  [0.5, 0.25, -0.75, 105.25],
];

describe('RunningMeanStd', () => {
  it('starts at mean 0, variance 1 and count 1e-4', () => {
    const rms = new RunningMeanStd(3);
    assert.deepEqual(Array.from(rms.mean), [0, 0, 0]);
    assert.deepEqual(Array.from(rms.var), [1, 1, 1]);
    assert.equal(rms.count, 1e-4);
  });

  it('matches Gymnasium bit for bit on float32 single-sample updates', () => {
    const rms = new RunningMeanStd(4, { dtype: 'float32' });
    for (const o of OBSERVATIONS) rms.update(Float32Array.from(o));
    assert.deepEqual(Array.from(rms.mean), [0.046199068427085876, -0.28999418020248413, 0.5999881029129028, 100.14799499511719]);
    assert.deepEqual(Array.from(rms.var), [0.06598448008298874, 0.8784040212631226, 3.114964485168457, 49.739627838134766]);
    assert.equal(rms.count, 5.0001);
  });

  it('gives the population mean and variance of a long float64 stream', () => {
    const rms = new RunningMeanStd(1);
    const xs = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3 + 2);
    for (const x of xs) rms.update([x]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(rms.mean[0]! - mean) < 1e-5);
    assert.ok(Math.abs(rms.var[0]! - variance) < 1e-5);
  });

  it('updates from a batch the same as from its rows one by one (float64)', () => {
    const a = new RunningMeanStd(2);
    const b = new RunningMeanStd(2);
    const rows = [1, 2, 3, -4, 5, 6.5];
    a.updateBatch(rows, 3);
    for (let r = 0; r < 3; r++) b.update(rows.slice(r * 2, r * 2 + 2));
    for (let i = 0; i < 2; i++) {
      assert.ok(Math.abs(a.mean[i]! - b.mean[i]!) < 1e-12);
      assert.ok(Math.abs(a.var[i]! - b.var[i]!) < 1e-12);
    }
    assert.ok(Math.abs(a.count - b.count) < 1e-12);
  });

  it('round-trips its state', () => {
    const a = new RunningMeanStd(2, { dtype: 'float32' });
    a.update([1, 2]);
    a.update([3, -1]);
    const b = new RunningMeanStd(2, { dtype: 'float32' });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    assert.deepEqual(b.state(), a.state());
    assert.throws(() => b.restore({ mean: [1], var: [1], count: 1 }), /length 2/);
  });
});
