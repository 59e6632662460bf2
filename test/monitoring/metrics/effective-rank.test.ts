import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveRank } from '../../../monitoring/metrics/effective-rank.ts';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { diagonalMatrix, lowRank } from './matrices.ts';

describe('effectiveRank (Roy & Vetterli)', () => {
  it('is exp(entropy) of σ / Σσ: σ = (3, 2, 1) gives p = (1/2, 1/3, 1/6) and 2.7495…', () => {
    const entropy = -(0.5 * Math.log(0.5) + (1 / 3) * Math.log(1 / 3) + (1 / 6) * Math.log(1 / 6));
    const fromMatrix = effectiveRank(singularValues(diagonalMatrix([1, 3, 2], 5, 3)));
    assert.ok(Math.abs(fromMatrix - Math.exp(entropy)) < 1e-12, `${fromMatrix}`);
    assert.ok(Math.abs(fromMatrix - 2.749459274) < 1e-8);
  });

  it('equals the count of equal non-zero singular values, and 1 for a single one', () => {
    assert.ok(Math.abs(effectiveRank([2, 2, 2, 2, 0, 0]) - 4) < 1e-12);
    assert.equal(effectiveRank([7, 0, 0]), 1);
  });

  it('is 0 for the zero matrix (not NaN)', () => {
    assert.equal(effectiveRank(singularValues({ data: new Float64Array(20), samples: 4, units: 5 })), 0);
    assert.equal(effectiveRank([]), 0);
  });

  it('lies in (1, k] for a rank-k product [512 × 64]', () => {
    for (const k of [1, 4, 12]) {
      const rank = effectiveRank(singularValues(lowRank(new Rng(20 + k), 512, 64, k)));
      assert.ok(rank <= k + 1e-9, `k=${k}: ${rank}`);
      if (k > 1) assert.ok(rank > 1, `k=${k}: ${rank}`);
      else assert.ok(Math.abs(rank - 1) < 1e-9);
    }
  });

  it('rejects negative or non-finite singular values', () => {
    for (const bad of [[1, -1], [1, Number.NaN]]) {
      assert.throws(() => effectiveRank(bad), (error: unknown) => error instanceof PlasticdError && error.code === 'invalid_spectrum');
    }
  });
});
