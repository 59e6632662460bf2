import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RL_SETTINGS } from '../../../scripts/plasticity/rl-methods.ts';
import type { RlMethodName } from '../../../scripts/plasticity/rl-methods.ts';
import { runRlJob } from '../../../scripts/plasticity/rl-run.ts';
import type { RlRunResult } from '../../../scripts/plasticity/rl-run.ts';

// Short regimes and a high replacement rate, so a 1,500-step run has shifts, windows and resets.
const settings = { ...DEFAULT_RL_SETTINGS, envKwargs: { every: 500, flipSigns: true }, hidden: [16, 16], windowLength: 500, probeSize: 64, replacementRate: 0.02, maturityThreshold: 10 };
const job = (method: RlMethodName, seed = 4) => ({ method, seed, steps: 1500, settings, lastEpisodes: 5 });
const withoutWallTime = ({ wallSeconds: _w, stepsPerSecond: _s, ...rest }: RlRunResult) => rest;

describe('runRlJob', () => {
  const gxd = runRlJob(job('gxd'));

  it('records the shifts, regimes and windows of the run from AgentRun events', () => {
    // A shift at the run's last step is reported, but opens no regime.
    assert.deepEqual(gxd.shifts.map((shift) => shift.step), [500, 1000, 1500]);
    assert.equal(gxd.shifts[0].kind, 'observation-permutation');
    assert.deepEqual(gxd.regimes.map((regime) => [regime.start, regime.end]), [[0, 500], [500, 1000], [1000, 1500]]);
    assert.deepEqual(gxd.windows.map((window) => window.step), [500, 1000, 1500]);
    assert.deepEqual(gxd.windows[0].layers.map((layer) => layer.layer), ['q/hidden0', 'q/hidden1']);
    assert.equal(gxd.episodes.reduce((sum, episode) => sum + episode.return, 0) <= 1500, true);
    assert.ok((gxd.resets['q/hidden0'] ?? 0) + (gxd.resets['q/hidden1'] ?? 0) > 0, 'gxd resets units');
  });

  it('gives the same result for the same seed', () => {
    assert.deepEqual(withoutWallTime(runRlJob(job('gxd'))), withoutWallTime(gxd));
  });

  it('gives every method of a seed the same regimes, and only reset methods reset', () => {
    const plain = runRlJob(job('plain'));
    assert.deepEqual(plain.shifts, gxd.shifts);
    assert.deepEqual(plain.resets, {});
    // Same initial weights and data until the first reset: the first episodes agree.
    assert.deepEqual(plain.episodes.slice(0, 3), gxd.episodes.slice(0, 3));
  });
});
