import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envKwargs, resolveAlternatives, rewardShiftOptions } from '../../../envs/nonstationary/kwargs.ts';

describe('resolveAlternatives', () => {
  const defaults = { every: 100, parameter: 'length', low: 0.25, high: 2 };

  it('lets a caller-chosen alternative replace the registered default one', () => {
    assert.deepEqual(resolveAlternatives({ ...defaults, everyAtEpisodeEnd: 50 }, defaults), { parameter: 'length', low: 0.25, high: 2, everyAtEpisodeEnd: 50 });
    assert.deepEqual(resolveAlternatives({ ...defaults, values: [1] }, defaults), { every: 100, parameter: 'length', values: [1] });
    const parameters = { g: { values: [1] } };
    assert.deepEqual(resolveAlternatives({ ...defaults, parameters }, defaults), { every: 100, parameters });
  });

  it('keeps both alternatives when the caller gave both, so the conflict is reported', () => {
    assert.deepEqual(resolveAlternatives({ every: 5, everyAtEpisodeEnd: 6 }, {}), { every: 5, everyAtEpisodeEnd: 6 });
  });
});

describe('envKwargs', () => {
  it('passes on only the kwargs that are not the wrapper’s', () => {
    assert.deepEqual(envKwargs('reward', { every: 1, seed: 2, values: [1], g: 9.81 }), { g: 9.81 });
    assert.deepEqual(envKwargs('observation-permutation', { every: 1, flipSigns: true, suttonBartoReward: true }), { suttonBartoReward: true });
  });
});

describe('rewardShiftOptions', () => {
  it('reads a log-uniform range with a flip probability', () => {
    assert.deepEqual(rewardShiftOptions('X', { every: 3, low: 0.5, high: 2, flipProbability: 0.25 }), { every: 3, low: 0.5, high: 2, flipProbability: 0.25 });
  });
});
