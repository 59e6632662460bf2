import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deadUnits, nearZeroUnits, rarelyActiveUnits } from '../../../monitoring/metrics/dead-units.ts';
import { fromColumns } from './matrices.ts';

const SAMPLES = 512;
const filled = (value: number) => new Float64Array(SAMPLES).fill(value);
function withPositives(count: number): Float64Array {
  const values = new Float64Array(SAMPLES);
  for (let s = 0; s < count; s++) values[s * 7] = 0.3;
  return values;
}

describe('deadUnits', () => {
  it('marks exactly the columns that are zero on every sample', () => {
    const onceActive = new Float64Array(SAMPLES);
    onceActive[300] = 1e-30;
    const result = deadUnits(fromColumns([filled(0), filled(0.5), onceActive, filled(0), filled(-1)]));
    assert.deepEqual(Array.from(result.mask), [1, 0, 0, 1, 0]);
    assert.equal(result.count, 2);
    assert.equal(result.fraction, 2 / 5);
  });

  it('counts every unit of an all-zero layer and none of a single non-zero sample', () => {
    assert.equal(deadUnits(fromColumns([filled(0), filled(0)])).fraction, 1);
    assert.equal(deadUnits(fromColumns([[2], [0]])).count, 1);
  });
});

describe('rarelyActiveUnits', () => {
  it('marks units positive on at most 1% of samples (5 of 512) and not on 6', () => {
    const result = rarelyActiveUnits(fromColumns([withPositives(5), withPositives(6), filled(0), filled(-3)]));
    assert.deepEqual(Array.from(result.mask), [1, 0, 1, 1]);
  });

  it('includes the boundary: active on exactly 1 of 100 samples is rarely active, 2 of 100 is not', () => {
    const once = new Float64Array(100);
    once[50] = 1;
    const twice = new Float64Array(100);
    twice[10] = 1;
    twice[90] = 2;
    assert.deepEqual(Array.from(rarelyActiveUnits(fromColumns([once, twice])).mask), [1, 0]);
  });
});

describe('nearZeroUnits (Joudaki)', () => {
  it('counts |a| < 1e-7 on more than 95% of samples as dead, which the exact rule does not', () => {
    const tiny = filled(1e-8);
    const matrix = fromColumns([tiny, filled(0.2)]);
    assert.deepEqual(Array.from(nearZeroUnits(matrix).mask), [1, 0]);
    assert.deepEqual(Array.from(deadUnits(matrix).mask), [0, 0]);
  });

  it('needs strictly more than 95% of the samples', () => {
    const exactly95 = new Float64Array(100);
    for (let s = 95; s < 100; s++) exactly95[s] = 1;
    const above95 = new Float64Array(100);
    for (let s = 96; s < 100; s++) above95[s] = 1;
    assert.deepEqual(Array.from(nearZeroUnits(fromColumns([exactly95, above95])).mask), [0, 1]);
  });
});
