import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accumulate, advanceAges, biasCorrected, biasCorrectInto } from '../../../monitoring/utilities/running-average.ts';

describe('bias-corrected running average', () => {
  it('equals the sample itself after one update, whatever the decay', () => {
    for (const decay of [0, 0.5, 0.9, 0.99]) {
      const ages = new Float64Array(1);
      const powers = new Float64Array([1]);
      const running = new Float64Array(1);
      advanceAges(ages, powers, decay);
      accumulate(running, [3.25], decay);
      assert.equal(ages[0], 1);
      assert.ok(Math.abs(biasCorrected(running[0], powers[0]) - 3.25) < 1e-12, `decay ${decay}`);
    }
  });

  it('weights older samples by η per step and divides by 1 − η^age', () => {
    const decay = 0.99;
    const ages = new Float64Array(1);
    const powers = new Float64Array([1]);
    const running = new Float64Array(1);
    const samples = [1, 2, 4];
    for (const s of samples) {
      advanceAges(ages, powers, decay);
      accumulate(running, [s], decay);
    }
    // U = 0.01·(0.99²·1 + 0.99·2 + 4) = 0.069601; Û = U / (1 − 0.99³) = 0.069601 / 0.029701.
    assert.ok(Math.abs(running[0] - 0.069601) < 1e-12);
    assert.ok(Math.abs(biasCorrected(running[0], powers[0]) - 0.069601 / 0.029701) < 1e-12);
    assert.ok(Math.abs(powers[0] - 0.99 ** 3) < 1e-15);
  });

  it('reads 0 for a unit of age 0 instead of dividing by zero', () => {
    const out = new Float64Array(2);
    biasCorrectInto(new Float64Array([0, 0.5]), new Float64Array([1, 0.5]), out);
    assert.deepEqual(Array.from(out), [0, 1]);
  });
});
