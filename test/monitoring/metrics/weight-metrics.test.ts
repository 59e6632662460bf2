import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relativeUpdateSize, weightMetrics } from '../../../monitoring/metrics/weight-metrics.ts';
import type { LayerWeights } from '../../../src/nn/types.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

function layer(name: string, weight: number[], bias: number[], fanOut: number): LayerWeights {
  return { name, weight: Float32Array.from(weight), bias: Float32Array.from(bias), fanOut, fanIn: weight.length / fanOut };
}

describe('weightMetrics', () => {
  it('reports mean |w| and Σ|w| over the weight matrix and ‖θ‖ over weight and bias', () => {
    const metrics = weightMetrics([layer('hidden0', [1, -2, 3, -4], [0.5, 0], 2)]);
    const [hidden] = metrics.layers;
    assert.equal(hidden.meanAbsWeight, 2.5);
    assert.equal(hidden.sumAbsWeight, 10);
    assert.ok(Math.abs(hidden.parameterNorm - Math.sqrt(30.25)) < 1e-12);
    assert.equal(hidden.distanceFromInitial, null);
    assert.ok(Math.abs(metrics.meanAbsParameter - 10.5 / 6) < 1e-12);
  });

  it('measures the drift of a known perturbation: ‖θ₀‖ = 5, ‖θ − θ₀‖ = 0.5 → 0.1', () => {
    const initial = [layer('hidden0', [3, 4], [0], 1)];
    // θ = θ₀ + 0.5·(0.6, 0.8, 0)
    const current = [layer('hidden0', [3.3, 4.4], [0], 1)];
    const [hidden] = weightMetrics(current, initial).layers;
    assert.ok(Math.abs(hidden.distanceFromInitial! - 0.5) < 1e-6);
    assert.ok(Math.abs(hidden.relativeDistanceFromInitial! - 0.1) < 1e-6);
  });

  it('combines layers for the whole-network drift and norm', () => {
    const initial = [layer('hidden0', [3, 4], [0], 1), layer('output', [0, 0], [12], 1)];
    // Perturb hidden0 by (0.6, 0.8) (norm 1) and the output bias by 1: distance √2, ‖θ₀‖ = 13.
    const current = [layer('hidden0', [3.6, 4.8], [0], 1), layer('output', [0, 0], [13], 1)];
    const metrics = weightMetrics(current, initial);
    assert.ok(Math.abs(metrics.distanceFromInitial! - Math.SQRT2) < 1e-6);
    assert.ok(Math.abs(metrics.relativeDistanceFromInitial! - Math.SQRT2 / 13) < 1e-6);
    assert.ok(Math.abs(metrics.layers[1].relativeDistanceFromInitial! - 1 / 12) < 1e-6);
    assert.ok(Math.abs(metrics.parameterNorm - Math.sqrt(3.6 ** 2 + 4.8 ** 2 + 169)) < 1e-5);
  });

  it('includes LayerNorm parameters in the drift', () => {
    const initial = [{ ...layer('hidden0', [1], [0], 1), layerNormGain: Float32Array.from([1]), layerNormBias: Float32Array.from([0]) }];
    const current = [{ ...layer('hidden0', [1], [0], 1), layerNormGain: Float32Array.from([2]), layerNormBias: Float32Array.from([0]) }];
    assert.ok(Math.abs(weightMetrics(current, initial).layers[0].relativeDistanceFromInitial! - 1 / Math.SQRT2) < 1e-7);
  });

  it('reports 0 drift for an unchanged network and +∞ relative drift from an all-zero start', () => {
    const same = [layer('hidden0', [1, 2], [0], 1)];
    assert.equal(weightMetrics(same, same).relativeDistanceFromInitial, 0);
    assert.equal(weightMetrics(same, [layer('hidden0', [0, 0], [0], 1)]).relativeDistanceFromInitial, Number.POSITIVE_INFINITY);
  });

  it('rejects mismatched layouts and non-finite weights', () => {
    const code = (expected: string) => (error: unknown) => error instanceof PlasticdError && error.code === expected;
    assert.throws(() => weightMetrics([layer('a', [1, 2], [0], 1)], [layer('a', [1, 2, 3], [0], 1)]), code('weight_layout_mismatch'));
    assert.throws(() => weightMetrics([layer('a', [1], [0], 1)], []), code('weight_layout_mismatch'));
    assert.throws(() => weightMetrics([layer('a', [Number.NaN], [0], 1)]), code('non_finite_weight'));
  });
});

describe('relativeUpdateSize', () => {
  it('is ‖Δθ‖ / ‖θ‖', () => {
    assert.equal(relativeUpdateSize(0.5, 10), 0.05);
    assert.equal(relativeUpdateSize(0, 0), 0);
  });
});
