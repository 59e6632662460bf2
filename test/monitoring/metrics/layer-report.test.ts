import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { layerReport } from '../../../monitoring/metrics/layer-report.ts';
import { deadUnits, rarelyActiveUnits } from '../../../monitoring/metrics/dead-units.ts';
import { dormantUnits } from '../../../monitoring/metrics/dormant-units.ts';
import { duplicateUnits } from '../../../monitoring/metrics/duplicate-units.ts';
import { effectiveRank } from '../../../monitoring/metrics/effective-rank.ts';
import { participationRatio } from '../../../monitoring/metrics/participation-ratio.ts';
import { saturatedUnits } from '../../../monitoring/metrics/saturated-units.ts';
import { singularValues } from '../../../monitoring/metrics/singular-values.ts';
import { approximateRank, srank } from '../../../monitoring/metrics/srank.ts';
import { classicStableRank, joudakiStableRank } from '../../../monitoring/metrics/stable-rank.ts';
import type { ActivationMatrix } from '../../../monitoring/metrics/activation-matrix.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { lowRank } from './matrices.ts';

/** ReLU of a rank-6 product, with units 0–3 dead, unit 10 a copy of unit 9 and unit 20 a copy of unit 21. */
function reluLayer(samples: number, units: number): ActivationMatrix {
  const matrix = lowRank(new Rng(70), samples, units, 6);
  const data = matrix.data as Float64Array;
  for (let s = 0; s < samples; s++) {
    const row = s * units;
    for (let i = 0; i < units; i++) data[row + i] = Math.max(0, data[row + i]);
    for (let i = 0; i < 4; i++) data[row + i] = 0;
    data[row + 10] = data[row + 9];
    data[row + 20] = data[row + 21];
  }
  return matrix;
}

function assertMatchesStandalone(matrix: ActivationMatrix): void {
  const report = layerReport(matrix);
  const values = singularValues(matrix, 'svd');
  assert.equal(report.singularValues.length, Math.min(matrix.samples, matrix.units));
  report.singularValues.forEach((value, k) => assert.ok(Math.abs(value - values[k]) <= 1e-6 * values[0], `σ_${k}`));
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  assert.deepEqual(report.dead, deadUnits(matrix));
  assert.deepEqual(report.rarelyActive, rarelyActiveUnits(matrix));
  assert.deepEqual(report.dormant[0], { threshold: 0.025, ...dormantUnits(matrix, 0.025) });
  assert.deepEqual(report.dormant[1], { threshold: 0.1, ...dormantUnits(matrix, 0.1) });
  assert.deepEqual(report.duplicates, duplicateUnits(matrix));
  near(report.effectiveRank, effectiveRank(values), 'effective rank');
  assert.equal(report.srank, srank(values));
  assert.equal(report.approximateRank, approximateRank(values));
  near(report.classicStableRank, classicStableRank(values), 'classic stable rank');
  near(report.participationRatio, participationRatio(values), 'participation ratio');
  near(report.joudakiStableRank, joudakiStableRank(matrix), 'Joudaki stable rank');
}

describe('layerReport', () => {
  it('agrees with every standalone metric when units ≤ samples (unit Gram route)', () => {
    assertMatchesStandalone(reluLayer(128, 48));
  });

  it('agrees with every standalone metric when units > samples (sample Gram route)', () => {
    assertMatchesStandalone(reluLayer(40, 96));
  });

  it('finds the planted dead units, duplicate pairs and low rank of a ReLU layer', () => {
    const report = layerReport(reluLayer(512, 64));
    assert.deepEqual(Array.from(report.dead.mask.subarray(0, 5)), [1, 1, 1, 1, 0]);
    assert.equal(report.dead.count, 4);
    assert.ok(report.duplicates.cosine.mask[9] === 1 && report.duplicates.cosine.mask[20] === 1);
    assert.ok(report.duplicates.pearson.mask[9] === 1 && report.duplicates.pearson.mask[20] === 1);
    assert.ok(report.dormant.every((entry) => entry.count >= 4));
    assert.equal(report.saturated, null);
    // ReLU of a rank-6 matrix has higher rank, but far below 60 live units.
    assert.ok(report.effectiveRank > 1 && report.effectiveRank < 60);
  });

  it('keeps srank ≤ k and 1 < effective rank ≤ k for a rank-k product [512 × 64]', () => {
    const report = layerReport(lowRank(new Rng(71), 512, 64, 8));
    assert.ok(report.srank <= 8, `${report.srank}`);
    assert.ok(report.effectiveRank > 1 && report.effectiveRank <= 8 + 1e-9, `${report.effectiveRank}`);
    assert.ok(report.participationRatio <= 8 + 1e-9 && report.classicStableRank <= 8 + 1e-9);
    assert.ok(report.joudakiStableRank <= 8 + 1e-9);
  });

  it('reports saturation for tanh layers', () => {
    const matrix = lowRank(new Rng(72), 100, 10, 10);
    const data = matrix.data as Float64Array;
    for (let k = 0; k < data.length; k++) data[k] = Math.tanh(data[k]);
    for (let s = 0; s < 100; s++) data[s * 10 + 3] = s % 2 ? 1 : -1;
    const report = layerReport(matrix, { activation: 'tanh' });
    assert.deepEqual(report.saturated, saturatedUnits(matrix, 'tanh'));
    assert.equal(report.saturated!.mask[3], 1);
  });

  it('gives defined values and no NaN for an all-zero layer', () => {
    const report = layerReport({ data: new Float32Array(64 * 16), samples: 64, units: 16 });
    assert.equal(report.dead.fraction, 1);
    assert.equal(report.dormant[0].fraction, 1);
    assert.equal(report.duplicates.cosine.count + report.duplicates.pearson.count, 0);
    assert.deepEqual(
      [report.effectiveRank, report.srank, report.approximateRank, report.classicStableRank, report.joudakiStableRank, report.participationRatio],
      [0, 0, 0, 0, 0, 0],
    );
    assert.ok(report.dormantScores.every((score) => score === 0));
  });

  it('handles a single sample: rank 1, no Pearson duplicates (no variance)', () => {
    const report = layerReport({ data: Float32Array.from([1, 2, 0, 3]), samples: 1, units: 4 });
    assert.equal(report.dead.count, 1);
    assert.ok(Math.abs(report.effectiveRank - 1) < 1e-12);
    assert.equal(report.srank, 1);
    assert.equal(report.joudakiStableRank, 0);
    assert.equal(report.duplicates.pearson.count, 0);
    assert.equal(report.duplicates.cosine.count, 2);
  });

  it('rejects NaN activations with a clear error', () => {
    const data = new Float32Array(8);
    data[5] = Number.NaN;
    assert.throws(
      () => layerReport({ data, samples: 2, units: 4 }),
      (error: unknown) => error instanceof PlasticdError && error.code === 'non_finite_activation' && /unit 1 on sample 1/.test(error.message),
    );
  });
});
