import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classicStableRank, joudakiStableRank } from '../../../monitoring/metrics/stable-rank.ts';
import { participationRatio } from '../../../monitoring/metrics/participation-ratio.ts';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { Rng } from '../../../src/util/rng.ts';
import { diagonalMatrix, fromColumns, gaussian } from './matrices.ts';

describe('classicStableRank', () => {
  it('is Σσ² / σ_max² = 30 / 16 for σ = (4, 3, 2, 1)', () => {
    assert.ok(Math.abs(classicStableRank(singularValues(diagonalMatrix([2, 4, 1, 3], 5, 4))) - 30 / 16) < 1e-12);
  });

  it('is the count for equal singular values and 0 for the zero matrix', () => {
    assert.equal(classicStableRank([3, 3, 3]), 3);
    assert.equal(classicStableRank([0, 0]), 0);
  });
});

describe('joudakiStableRank (participation ratio of centred activations)', () => {
  // Centred columns (1, −1, 1, −1) and 2·(1, 1, −1, −1) are orthogonal with squared norms 4 and 16,
  // so the covariance eigenvalues are ∝ (16, 4) and PR = 20² / (16² + 4²) = 400 / 272.
  const first = [6, 4, 6, 4];
  const second = [5, 5, 1, 1];

  it('removes the unit means and gives 400 / 272 when units ≤ samples', () => {
    assert.ok(Math.abs(joudakiStableRank(fromColumns([first, second])) - 400 / 272) < 1e-12);
  });

  it('gives the same through the sample Gram when units > samples (constant columns add nothing)', () => {
    const constant = [3, 3, 3, 3];
    const value = joudakiStableRank(fromColumns([first, constant, second, constant, constant, constant]));
    assert.ok(Math.abs(value - 400 / 272) < 1e-12, `${value}`);
  });

  it('matches the participation ratio of the explicitly centred matrix on random data', () => {
    const rng = new Rng(40);
    const samples = 50;
    const units = 20;
    const data = gaussian(rng, samples, units).map((value, index) => value + (index % units));
    const centred = new Float64Array(data);
    for (let i = 0; i < units; i++) {
      let mean = 0;
      for (let s = 0; s < samples; s++) mean += data[s * units + i] / samples;
      for (let s = 0; s < samples; s++) centred[s * units + i] -= mean;
    }
    const expected = participationRatio(singularValues({ data: centred, samples, units }, 'svd'));
    assert.ok(Math.abs(joudakiStableRank({ data, samples, units }) - expected) < 1e-9 * expected);
  });

  it('is 0 for a layer that is constant over the batch (no rank from rounding noise)', () => {
    assert.equal(joudakiStableRank(fromColumns([[0.3, 0.3, 0.3], [7, 7, 7]])), 0);
    assert.equal(joudakiStableRank(fromColumns([[0, 0], [0, 0], [0, 0]])), 0);
  });
});
