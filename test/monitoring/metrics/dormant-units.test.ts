import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dormantScores, dormantUnits } from '../../../monitoring/metrics/dormant-units.ts';
import { fromColumns } from './matrices.ts';

/** A column whose mean |a| is `meanAbs`, with alternating signs to check the absolute value. */
function column(meanAbs: number, samples = 64): Float64Array {
  return Float64Array.from({ length: samples }, (_, s) => (s % 2 === 0 ? meanAbs : -meanAbs));
}

describe('dormantScores (ReDo)', () => {
  it('divides each unit\'s mean |a| by the layer mean of mean |a|', () => {
    // mean |a| = [0, 1, 2, 1] → layer mean 1 → s = [0, 1, 2, 1]
    const scores = dormantScores(fromColumns([column(0), column(1), column(2), column(1)]));
    [0, 1, 2, 1].forEach((expected, i) => assert.ok(Math.abs(scores[i] - expected) < 1e-8, `unit ${i}: ${scores[i]}`));
  });

  it('scores an all-zero layer 0 everywhere instead of NaN', () => {
    assert.deepEqual(Array.from(dormantScores(fromColumns([column(0), column(0)]))), [0, 0]);
  });
});

describe('dormantUnits (ReDo)', () => {
  // mean |a| = [0.02, 0.05, 1, 2.93] → layer mean 1 → s = [0.02, 0.05, 1, 2.93]
  const matrix = fromColumns([column(0.02), column(0.05), column(1), column(2.93)]);

  it('uses τ = 0.025 by default: only s = 0.02 is dormant', () => {
    assert.deepEqual(Array.from(dormantUnits(matrix).mask), [1, 0, 0, 0]);
  });

  it('marks s = 0.02 and s = 0.05 with the high-replay-ratio τ = 0.1', () => {
    const result = dormantUnits(matrix, 0.1);
    assert.deepEqual(Array.from(result.mask), [1, 1, 0, 0]);
    assert.equal(result.fraction, 0.5);
  });

  it('with τ = 0 marks only units that are exactly zero', () => {
    assert.deepEqual(Array.from(dormantUnits(fromColumns([column(0), column(1e-12), column(1)]), 0).mask), [1, 0, 0]);
  });
});
