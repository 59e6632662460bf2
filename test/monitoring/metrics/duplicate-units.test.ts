import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateUnits } from '../../../monitoring/metrics/duplicate-units.ts';
import { Rng } from '../../../src/util/rng.ts';
import { fromColumns } from './matrices.ts';

const SAMPLES = 256;
function random(rng: Rng, offset = 0): Float64Array {
  return Float64Array.from({ length: SAMPLES }, () => offset + rng.normal());
}

describe('duplicateUnits', () => {
  it('finds identical columns exactly: one pair marks the lower-index unit only', () => {
    const rng = new Rng(1);
    const a = random(rng);
    const result = duplicateUnits(fromColumns([a, random(rng), random(rng), a]));
    assert.deepEqual(Array.from(result.cosine.mask), [1, 0, 0, 0]);
    assert.equal(result.cosine.pairs, 1);
    assert.deepEqual(Array.from(result.pearson.mask), [1, 0, 0, 0]);
    assert.equal(result.pearson.pairs, 1);
  });

  it('marks c − 1 units and c(c − 1)/2 pairs for a group of c = 3 clones, scaled copies included', () => {
    const rng = new Rng(2);
    const a = random(rng);
    const twice = a.map((value) => 2 * value);
    const result = duplicateUnits(fromColumns([random(rng), a, twice, a]));
    assert.equal(result.cosine.count, 2);
    assert.equal(result.cosine.pairs, 3);
    assert.equal(result.cosine.fraction, 0.5);
    assert.equal(result.pearson.count, 2);
  });

  it('reports a shared large offset as a cosine duplicate but not a Pearson one', () => {
    const rng = new Rng(3);
    // Independent noise on a common offset of 10: cosine ≈ 100 / 101 ≈ 0.99, correlation ≈ 0.
    const result = duplicateUnits(fromColumns([random(rng, 10), random(rng, 10)]));
    assert.equal(result.cosine.count, 1);
    assert.equal(result.pearson.count, 0);
  });

  it('reports an affine copy (2a + 1) as a Pearson duplicate', () => {
    const rng = new Rng(4);
    const a = random(rng);
    const result = duplicateUnits(fromColumns([a, a.map((value) => 2 * value + 1)]));
    assert.equal(result.pearson.pairs, 1);
  });

  it('does not count anti-correlated units, dead units, or constant units under Pearson', () => {
    const rng = new Rng(5);
    const a = random(rng);
    const zero = new Float64Array(SAMPLES);
    const constant = new Float64Array(SAMPLES).fill(0.7);
    const result = duplicateUnits(fromColumns([a, a.map((value) => -value), zero, zero, constant, constant]));
    // Only the two constant columns match, and only under the uncentred cosine.
    assert.deepEqual(Array.from(result.cosine.mask), [0, 0, 0, 0, 1, 0]);
    assert.equal(result.pearson.count, 0);
  });

  it('uses a strict threshold: cosine 0.96 is a duplicate at 0.95, cosine 0.94 is not', () => {
    const sine = (c: number) => Math.sqrt(1 - c * c);
    // Two-sample columns: u = (1, 0) against (c, √(1 − c²)) has cosine c.
    const result = duplicateUnits(fromColumns([[1, 0], [0.96, sine(0.96)], [0, 1], [sine(0.94), 0.94]]));
    // pairs above 0.95: (0, 1) only; (1, 3): 0.96·0.3412 + 0.28·0.94 ≈ 0.591; (2, 3): 0.94.
    assert.deepEqual(Array.from(result.cosine.mask), [1, 0, 0, 0]);
    assert.equal(result.threshold, 0.95);
  });

  it('honours a custom threshold (0.98 as in Joudaki\'s bit-flipping config)', () => {
    const result = duplicateUnits(fromColumns([[1, 0], [0.97, Math.sqrt(1 - 0.97 * 0.97)]]), 0.98);
    assert.equal(result.cosine.count, 0);
  });
});
