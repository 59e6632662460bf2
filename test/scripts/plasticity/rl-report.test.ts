import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { regimeRanges, returnCurve, summarizeMethods } from '../../../scripts/plasticity/rl-report.ts';
import type { RlMethodName } from '../../../scripts/plasticity/rl-methods.ts';
import { DEFAULT_RL_SETTINGS } from '../../../scripts/plasticity/rl-methods.ts';
import type { RlRunResult, WindowPoint } from '../../../scripts/plasticity/rl-run.ts';
import { summarizeRegimes } from '../../../scripts/plasticity/shift-summary.ts';

/** A run of 5 regimes of 100 steps with one episode per regime of the given returns, and one window per regime. */
function fakeRun(method: RlMethodName, seed: number, returns: number[], dormant: number): RlRunResult {
  const episodes = returns.map((value, k) => ({ step: k * 100 + 50, return: value }));
  const shifts = [100, 200, 300, 400].map((step) => ({ step, kind: 'observation-permutation', params: {} }));
  const windows: WindowPoint[] = returns.map((_, k) => ({
    step: (k + 1) * 100,
    episodeReturn: returns[k],
    layers: [{ layer: 'q/hidden0', deadRatio: dormant / 2, dormantRatio: dormant, effectiveRank: 3, srank: 3, weightMagnitude: 0.1, resets: 0 }],
    loss: { q: 0.5 },
  }));
  return {
    method,
    methodSummary: method,
    seed,
    steps: 500,
    settings: DEFAULT_RL_SETTINGS,
    spec: {},
    episodes,
    shifts,
    regimes: summarizeRegimes(episodes, shifts.map((shift) => shift.step), 500, 10),
    windows,
    resets: method === 'plain' ? {} : { 'q/hidden0': 7 },
    wallSeconds: 1,
    stepsPerSecond: 500,
  };
}

describe('regimeRanges', () => {
  it('compares the first regimes after a shift with the last ones, never overlapping', () => {
    assert.deepEqual(regimeRanges(12, 3), { early: [1, 4], late: [9, 12] });
    assert.deepEqual(regimeRanges(5, 3), { early: [1, 3], late: [3, 5] });
    assert.deepEqual(regimeRanges(2, 3), { early: [1, 2], late: [1, 2] });
  });
});

describe('summarizeMethods', () => {
  const runs = [
    fakeRun('plain', 0, [200, 100, 100, 20, 40], 0.6),
    fakeRun('plain', 1, [200, 120, 80, 40, 20], 0.5),
    fakeRun('gxd', 0, [200, 100, 100, 60, 80], 0.2),
    fakeRun('gxd', 1, [200, 120, 80, 100, 100], 0.3),
  ];
  const [plain, gxd] = summarizeMethods(runs, ['plain', 'gxd'], regimeRanges(5, 2));

  it('averages the return after early and late shifts over seeds', () => {
    assert.equal(plain.finalReturnEarly.mean, 100);
    assert.equal(plain.finalReturnLate.mean, 30);
    assert.equal(gxd.finalReturnLate.mean, 85);
    assert.equal(plain.lateMinusEarly.mean, -70);
  });

  it('pairs each method with the plain run of the same seed', () => {
    assert.equal(plain.lateVersusPlain, null);
    assert.equal(gxd.lateVersusPlain!.mean, 55);
    assert.equal(gxd.lateVersusPlain!.n, 2);
    // Per seed: 70 − 30 = 40 and 100 − 30 = 70 → standard error 15.
    assert.equal(gxd.lateVersusPlain!.stderr, 15);
  });

  it('averages layer metrics over the windows inside the regimes compared', () => {
    assert.equal(plain.layers[0].layer, 'q/hidden0');
    assert.ok(Math.abs(plain.layers[0].dormantLate.mean - 0.55) < 1e-12);
    assert.equal(gxd.layers[0].resets.mean, 7);
  });
});

describe('returnCurve', () => {
  it('repeats the last return through windows without episodes and smooths over the span', () => {
    const windows = [10, null, 40, null].map((episodeReturn, k) => ({ step: k, episodeReturn, layers: [], loss: {} }));
    assert.deepEqual(returnCurve(windows, 2), [10, 10, 25, 40]);
  });
});
