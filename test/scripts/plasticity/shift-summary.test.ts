import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { regimeRangeMean, summarizeRegimes } from '../../../scripts/plasticity/shift-summary.ts';

describe('summarizeRegimes', () => {
  const episodes = [
    { step: 10, return: 10 },
    { step: 30, return: 20 },
    { step: 50, return: 30 },
    { step: 100, return: 40 }, // ends on the shift step: still the old regime
    { step: 120, return: 5 },
    { step: 190, return: 7 },
    { step: 260, return: 100 },
  ];

  it('splits the run at the shift steps and averages the last k episodes of each regime', () => {
    const regimes = summarizeRegimes(episodes, [100, 200], 300, 2);
    assert.deepEqual(
      regimes.map((r) => [r.regime, r.start, r.end, r.episodes, r.finalReturn, r.meanReturn]),
      [
        [0, 0, 100, 4, 35, 25],
        [1, 100, 200, 2, 6, 6],
        [2, 200, 300, 1, 100, 100],
      ],
    );
  });

  it('gives NaN for a regime in which no episode ended', () => {
    const regimes = summarizeRegimes([{ step: 250, return: 3 }], [100, 200], 300, 10);
    assert.ok(Number.isNaN(regimes[0].finalReturn));
    assert.ok(Number.isNaN(regimes[1].meanReturn));
    assert.equal(regimes[2].finalReturn, 3);
  });

  it('averages a range of regimes, skipping those without episodes', () => {
    const regimes = summarizeRegimes([{ step: 50, return: 4 }, { step: 250, return: 8 }], [100, 200], 300, 10);
    assert.equal(regimeRangeMean(regimes, 'finalReturn', 0, 3), 6);
    assert.equal(regimeRangeMean(regimes, 'meanReturn', 1, 3), 8);
  });

  it('rejects decreasing shift steps and a non-positive episode count', () => {
    assert.throws(() => summarizeRegimes(episodes, [200, 100], 300, 2), /increasing/);
    assert.throws(() => summarizeRegimes(episodes, [100], 300, 0), /positive integer/);
  });
});
