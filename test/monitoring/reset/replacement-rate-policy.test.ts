import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplacementRatePolicy } from '../../../monitoring/reset/replacement-rate-policy.ts';
import { createResetPolicy } from '../../../monitoring/reset/create-reset-policy.ts';
import { runPolicy } from './policy-fixture.ts';

const TEN_SCORES = [0.9, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 0.3, 1.0, 0.1];

describe('ReplacementRatePolicy', () => {
  it('has the CBP defaults: ρ = 1e-4, m = 100, fractional accumulation', () => {
    const policy = createResetPolicy({ kind: 'replacement-rate' }) as ReplacementRatePolicy;
    assert.equal(policy.replacementRate, 1e-4);
    assert.equal(policy.maturityThreshold, 100);
    assert.equal(policy.accumulate, true);
  });

  it('makes exactly 3 resets over 10 steps at 0.3 expected per step, at steps 4, 7 and 10', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 0.03, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { gxd: TEN_SCORES }, 10);
    assert.deepEqual(events.map((e) => e.step), [4, 7, 10]);
    assert.deepEqual(events.map((e) => e.units.length), [1, 1, 1]);
    // Always the lowest-utility eligible unit: unit 9 (0.1); after its reset it scores 0.1 again next step.
    assert.deepEqual(events.map((e) => e.units[0]), [9, 9, 9]);
    assert.equal(events[0].policy, 'replacement-rate');
    assert.equal(events[0].criterion, 'gxd');
    assert.ok(Math.abs(events[0].scores[0] - 0.1) < 1e-7);
  });

  it('picks the lowest bias-corrected utilities among eligible units, lowest first', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 0.3, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { gxd: TEN_SCORES }, 1);
    assert.deepEqual(events[0].units, [9, 3, 7]);
    assert.ok(Math.abs(events[0].predictedCost - (0.1 + 0.2 + 0.3)) < 1e-6);
  });

  it('does not accumulate while no unit is eligible', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 0.1, maturityThreshold: 5 });
    const { events } = runPolicy(policy, { gxd: TEN_SCORES }, 6);
    // Steps 1–5: every age ≤ 5, nothing owed. Step 6: 10 eligible × 0.1 = exactly one replacement.
    assert.deepEqual(events.map((e) => [e.step, e.units]), [[6, [9]]]);
  });

  it('never selects a unit of age ≤ m, and does not reset a just-reset unit before it matures again', () => {
    const maturityThreshold = 5;
    const policy = new ReplacementRatePolicy({ replacementRate: 0.25, maturityThreshold });
    const { events, agesAtSelection } = runPolicy(policy, { gxd: [1, 2, 0.1, 3] }, 60);
    assert.ok(events.length > 10);
    assert.ok(agesAtSelection.every((age) => age > maturityThreshold), `ages at selection ${agesAtSelection}`);
    const resetsOfUnit2 = events.filter((e) => e.units.includes(2)).map((e) => e.step);
    assert.equal(resetsOfUnit2[0], 6, 'the lowest unit goes first, as soon as it is mature');
    for (let k = 1; k < resetsOfUnit2.length; k++) assert.ok(resetsOfUnit2[k] - resetsOfUnit2[k - 1] > maturityThreshold);
  });

  it('breaks ties by the lower unit index', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 1 / 3, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { gxd: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5] }, 1);
    assert.deepEqual(events[0].units, [0, 1]);
  });

  it('never replaces more units than are eligible', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 5, maturityThreshold: 0 });
    const { events } = runPolicy(policy, { gxd: [3, 1, 2] }, 1);
    assert.deepEqual(events[0].units, [1, 2, 0]);
  });

  it('draws fractional counts from the seeded Rng when accumulate is off (gnt.py accumulate = False)', () => {
    const policy = new ReplacementRatePolicy({ replacementRate: 0.03, maturityThreshold: 0, accumulate: false });
    const a = runPolicy(policy, { gxd: TEN_SCORES }, 2000, undefined, 5);
    const b = runPolicy(policy, { gxd: TEN_SCORES }, 2000, undefined, 5);
    assert.deepEqual(a.events.map((e) => e.step), b.events.map((e) => e.step));
    // Binomial(2000, 0.3): mean 600, sd ≈ 20.5.
    assert.ok(Math.abs(a.events.length - 600) < 80, `${a.events.length} resets`);
  });

  it('rejects a negative rate with a message naming the key', () => {
    assert.throws(() => new ReplacementRatePolicy({ replacementRate: -1 }), /replacementRate/);
  });
});
