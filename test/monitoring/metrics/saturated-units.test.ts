import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { saturatedUnits } from '../../../monitoring/metrics/saturated-units.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { fromColumns } from './matrices.ts';

const SAMPLES = 200;
const filled = (value: number) => new Float64Array(SAMPLES).fill(value);
function partly(saturatedSamples: number, saturated: number, other: number): Float64Array {
  return Float64Array.from({ length: SAMPLES }, (_, s) => (s < saturatedSamples ? saturated : other));
}

describe('saturatedUnits', () => {
  it('marks tanh units with |a| constant at 1, of either sign, and no unit near 0', () => {
    const alternating = Float64Array.from({ length: SAMPLES }, (_, s) => (s % 2 ? 1 : -1));
    const result = saturatedUnits(fromColumns([filled(1), alternating, filled(0.5), filled(0), filled(-0.999)]), 'tanh');
    // tanh' = 1 − a²: 0, 0, 0.75, 1, 0.002 < 0.01
    assert.deepEqual(Array.from(result.mask), [1, 1, 0, 0, 1]);
    assert.equal(result.fraction, 3 / 5);
  });

  it('uses float32 tanh of a large pre-activation, which rounds to exactly 1', () => {
    const data = new Float32Array(SAMPLES).fill(Math.tanh(20));
    assert.equal(saturatedUnits({ data, samples: SAMPLES, units: 1 }, 'tanh').count, 1);
  });

  it('needs strictly more than 99% of the samples: 198 of 200 is not enough, 199 is', () => {
    const result = saturatedUnits(fromColumns([partly(198, 1, 0), partly(199, 1, 0)]), 'tanh');
    assert.deepEqual(Array.from(result.mask), [0, 1]);
  });

  it('marks sigmoid units stuck at 0 or 1 and not at 0.5 (sigmoid\' = a(1 − a))', () => {
    const result = saturatedUnits(fromColumns([filled(0), filled(1), filled(0.5), filled(0.995)]), 'sigmoid');
    // a(1 − a): 0, 0, 0.25, 0.004975
    assert.deepEqual(Array.from(result.mask), [1, 1, 0, 1]);
  });

  it('rejects activations without a saturating regime', () => {
    assert.throws(
      () => saturatedUnits(fromColumns([filled(1)]), 'relu' as 'tanh'),
      (error: unknown) => error instanceof PlasticdError && error.code === 'unsupported_activation',
    );
  });
});
