import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, spearman } from '../../monitoring/spearman.ts';

describe('averageRanks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    assert.deepEqual(Array.from(averageRanks([10, 30, 20, 30, 30, 5])), [2, 5, 3, 5, 5, 1]);
    assert.deepEqual(Array.from(averageRanks([2, 2])), [1.5, 1.5]);
  });
});

describe('spearman', () => {
  it('matches a hand computation with ties in one sample', () => {
    // ranks y = (1, 2, 3.5, 5, 3.5); Σdxdy = 8, Σdx² = 10, Σdy² = 9.5 → 8/√95.
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-12);
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12);
  });

  it('matches a hand computation with ties in both samples', () => {
    // ranks x = (1.5, 1.5, 3, 4), y = (1, 2.5, 2.5, 4): 3.75 / √(4.5·4.5) = 5/6.
    assert.ok(Math.abs(spearman([1, 1, 2, 3], [1, 2, 2, 3]) - 5 / 6) < 1e-12);
  });

  it('matches a hand computation without ties (1 − 6Σd²/(n(n²−1)))', () => {
    // d = (0, −2, 1, 1, 0): Σd² = 6 → 1 − 36/120 = 0.7.
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [1, 4, 2, 3, 5]) - 0.7) < 1e-12);
  });

  it('is +1 for any monotone increasing relation and −1 for a decreasing one', () => {
    const x = [0.1, 3, -2, 7, 0.5, 100];
    assert.equal(spearman(x, x.map((v) => Math.exp(v / 10))), 1);
    assert.equal(spearman(x, x.map((v) => -(v ** 3))), -1);
  });

  it('is undefined (NaN) for a constant sample or fewer than two pairs, and refuses unpaired samples', () => {
    assert.ok(Number.isNaN(spearman([1, 2, 3], [4, 4, 4])));
    assert.ok(Number.isNaN(spearman([1], [2])));
    assert.throws(() => spearman([1, 2], [1, 2, 3]), /paired samples/);
    assert.throws(() => spearman([1, Number.NaN], [1, 2]), /NaN/);
  });
});
