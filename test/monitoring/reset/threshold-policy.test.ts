import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ThresholdPolicy } from '../../../monitoring/reset/threshold-policy.ts';
import { createResetPolicy } from '../../../monitoring/reset/create-reset-policy.ts';
import { runPolicy } from './policy-fixture.ts';

// Layer mean of |a| = 5.01 / 6 = 0.835: normalised scores 0, 0.012, 1.198, 1.198, 1.198, 2.395.
const ACTIVATIONS = [0, 0.01, 1, 1, 1, 2];

describe('ThresholdPolicy', () => {
  it('has the ReDo defaults: τ = 0.025, every F = 1000 updates', () => {
    const policy = createResetPolicy({ kind: 'threshold' }) as ThresholdPolicy;
    assert.equal(policy.threshold, 0.025);
    assert.equal(policy.every, 1000);
  });

  it('resets exactly the units with score ≤ τ, every F steps and at no other step', () => {
    const policy = new ThresholdPolicy({ threshold: 0.025, every: 10, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { meanAbsActivation: ACTIVATIONS }, 35, { criterion: 'redo', decay: 0 });
    assert.deepEqual(events.map((e) => [e.step, e.units]), [[10, [0, 1]], [20, [0, 1]], [30, [0, 1]]]);
    assert.ok(Math.abs(events[0].scores[1] - 0.01 / (5.01 / 6)) < 1e-6);
    assert.equal(events[0].policy, 'threshold');
  });

  it('normalises any criterion by its layer mean (activation magnitude gives the ReDo decision)', () => {
    const policy = new ThresholdPolicy({ threshold: 0.025, every: 10, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { meanAbsActivation: ACTIVATIONS }, 10, { criterion: 'activation' });
    assert.deepEqual(events.map((e) => e.units), [[0, 1]]);
    // τ just below unit 1's normalised score leaves only the dead unit.
    const stricter = new ThresholdPolicy({ threshold: 0.011, every: 10, maturityThreshold: 0 });
    assert.deepEqual(runPolicy(stricter, { meanAbsActivation: ACTIVATIONS }, 10, { criterion: 'activation' }).events[0].units, [0]);
  });

  it('leaves immature units alone until they are older than m', () => {
    const policy = new ThresholdPolicy({ threshold: 0.025, every: 10, maturityThreshold: 15 });
    const { events } = runPolicy(policy, { meanAbsActivation: ACTIVATIONS }, 40, { criterion: 'redo', decay: 0 });
    // Step 10: age 10 ≤ 15. Step 20: reset. Step 30: age 10 again. Step 40: age 20.
    assert.deepEqual(events.map((e) => [e.step, e.units]), [[20, [0, 1]], [40, [0, 1]]]);
  });

  it('counts an all-zero layer as entirely dormant, in unit order', () => {
    const policy = new ThresholdPolicy({ threshold: 0, every: 1, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { meanAbsActivation: [0, 0, 0] }, 1, { criterion: 'activation' });
    assert.deepEqual(events[0].units, [0, 1, 2]);
  });
});
