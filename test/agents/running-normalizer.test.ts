import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObservationNormalizer, RewardNormalizer, RunningMeanStd } from '../../agents/running-normalizer.ts';

describe('RunningMeanStd', () => {
  it('tracks the mean and population variance of the samples (Gymnasium prior of count 1e-4)', () => {
    const stats = new RunningMeanStd(2);
    for (const x of [[1, 10], [2, 20], [3, 60]]) stats.update(x);
    assert.ok(Math.abs(stats.mean[0] - 2) < 1e-3 && Math.abs(stats.mean[1] - 30) < 1e-2);
    assert.ok(Math.abs(stats.variance[0] - 2 / 3) < 1e-3, `variance ${stats.variance[0]}`);
    assert.ok(Math.abs(stats.variance[1] - 1400 / 3) < 0.5, `variance ${stats.variance[1]}`);
  });
});

describe('ObservationNormalizer', () => {
  it('standardises with the running statistics and clips', () => {
    const normalizer = new ObservationNormalizer(1, 1.5);
    for (const x of [0, 2, 0, 2]) normalizer.statistics.update([x]);
    const out = new Float32Array(1);
    assert.ok(Math.abs(normalizer.normalize([2], out)[0] - 1) < 1e-3);
    assert.equal(normalizer.normalize([100], out)[0], 1.5);
  });
});

describe('RewardNormalizer', () => {
  it('divides rewards by the std of the discounted return and restarts the return at episode ends', () => {
    const normalizer = new RewardNormalizer(0.5);
    normalizer.normalize(1, false); // G = 1
    normalizer.normalize(1, true); // G = 1.5, then restart
    const scaled = normalizer.normalize(1, false); // G = 1: returns seen 1, 1.5, 1
    const variance = normalizer.statistics.variance[0];
    assert.ok(Math.abs(variance - 1 / 18) < 1e-3, `variance of {1, 1.5, 1} is 1/18, got ${variance}`);
    assert.ok(Math.abs(scaled - 1 / Math.sqrt(variance + 1e-8)) < 1e-9);
    const copy = new RewardNormalizer(0.5);
    copy.restore(structuredClone(normalizer.state()));
    assert.equal(copy.normalize(2, false), normalizer.normalize(2, false));
  });
});
