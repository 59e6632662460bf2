import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { participationRatio, participationRatioFromGram } from '../../../monitoring/metrics/participation-ratio.ts';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { Rng } from '../../../src/util/rng.ts';
import { diagonalMatrix, lowRank } from './matrices.ts';
import { unitGram } from '../../../monitoring/metrics/gram-matrix.ts';

describe('participationRatio', () => {
  it('is (Σσ²)² / Σσ⁴ = 900 / 354 for σ = (4, 3, 2, 1)', () => {
    assert.ok(Math.abs(participationRatio(singularValues(diagonalMatrix([4, 3, 2, 1], 4, 6))) - 900 / 354) < 1e-12);
  });

  it('gives the same from the Gram matrix without an eigen-decomposition', () => {
    assert.ok(Math.abs(participationRatioFromGram(unitGram(diagonalMatrix([4, 3, 2, 1], 6, 4)), 4) - 900 / 354) < 1e-12);
  });

  it('counts equal values, is ≤ k for rank k, and 0 for the zero matrix', () => {
    assert.ok(Math.abs(participationRatio([2, 2, 2]) - 3) < 1e-12);
    const value = participationRatio(singularValues(lowRank(new Rng(50), 512, 64, 7)));
    assert.ok(value > 1 && value <= 7 + 1e-9, `${value}`);
    assert.equal(participationRatio([0, 0]), 0);
  });
});
