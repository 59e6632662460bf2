import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { approximateRank, srank } from '../../../monitoring/metrics/srank.ts';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { Rng } from '../../../src/util/rng.ts';
import { diagonalMatrix, lowRank } from './matrices.ts';

describe('srank (Kumar et al., δ = 0.01)', () => {
  // σ = (4, 3, 2, 1), Σσ = 10: prefix shares 0.4, 0.7, 0.9, 1.0.
  const sigma = singularValues(diagonalMatrix([1, 2, 3, 4], 6, 4));

  it('needs all 4 values for 99% of Σσ = 10', () => {
    assert.equal(srank(sigma), 4);
  });

  it('needs 3 for δ = 0.1 (0.9 ≥ 0.9) and 2 for δ = 0.35 (0.7 ≥ 0.65)', () => {
    assert.equal(srank(sigma, 0.1), 3);
    assert.equal(srank(sigma, 0.35), 2);
  });

  it('is 1 when the top value alone holds ≥ 99%: σ = (100, 0.5, 0.5)', () => {
    assert.equal(srank([0.5, 100, 0.5]), 1);
  });

  it('is at most k for a rank-k product [512 × 64], and 0 for the zero matrix', () => {
    assert.ok(srank(singularValues(lowRank(new Rng(30), 512, 64, 5))) <= 5);
    assert.equal(srank([0, 0, 0]), 0);
  });
});

describe('approximateRank (Dohare: the srank rule on σ²)', () => {
  it('uses σ² = (16, 9, 4, 1), Σ = 30: prefix shares 0.533, 0.833, 0.967, 1', () => {
    assert.equal(approximateRank([4, 3, 2, 1]), 4);
    assert.equal(approximateRank([4, 3, 2, 1], 0.95), 3);
    assert.equal(approximateRank([4, 3, 2, 1], 0.8), 2);
  });
});
