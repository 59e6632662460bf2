import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { perTaskAccuracyTable, probeTable, probeTasks } from '../../../scripts/reproduce/permuted-mnist-tables.ts';
import type { PermutedMnistRunResult } from '../../../scripts/reproduce/permuted-mnist-run.ts';
import type { MethodName } from '../../../scripts/reproduce/methods.ts';

function run(method: MethodName, seed: number, accuracy: number[], rank: number): PermutedMnistRunResult {
  return {
    benchmark: 'permuted-mnist',
    method,
    methodSummary: '',
    seed,
    tasks: accuracy.length,
    tasksDone: accuracy.length,
    examplesPerTask: 10,
    hiddenUnits: [4],
    accuracy,
    loss: accuracy.map(() => 0),
    probes: accuracy.map(() => [{ deadFraction: 0.25, effectiveRank: rank }]),
    resetsPerTask: accuracy.map(() => [0]),
    wallSeconds: 1,
    microsecondsPerExample: 1,
  };
}

describe('permuted-MNIST report tables', () => {
  it('shows the first task, about ten evenly spaced ones and the last', () => {
    assert.deepEqual(probeTasks(1), [1]);
    assert.deepEqual(probeTasks(7), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(probeTasks(100), [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.deepEqual(probeTasks(23), [1, 3, 6, 9, 12, 15, 18, 21, 23]);
  });

  it('gives each task its mean ± standard error over seeds, in percent', () => {
    const runs = [run('bp', 0, [0.8, 0.9], 2), run('bp', 1, [0.9, 0.9], 4)];
    const table = perTaskAccuracyTable(['bp'], () => runs, 2);
    // Task 1: mean 85, sample sd √50 ≈ 7.07, s.e. 5; task 2: 90 ± 0.
    assert.match(table, /\| 1 \| 85\.00 ± 5\.00 \|/);
    assert.match(table, /\| 2 \| 90\.00 ± 0\.00 \|/);
  });

  it('averages effective rank and dead units over seeds per task start', () => {
    const runs = [run('gxd', 0, [0.5], 2), run('gxd', 1, [0.5], 4)];
    assert.match(probeTable(['gxd'], () => runs, 1, 1), /\| 1 \| gxd \| 3\.0 \| 25\.0 \|/);
  });
});
