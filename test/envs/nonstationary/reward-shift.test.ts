import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RewardShift } from '../../../envs/nonstationary/reward-shift.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import { TinyEnv } from './tiny-env.ts';
import { drive } from './drive.ts';

describe('RewardShift', () => {
  it('flips the reward sign and back by default, from the step after each shift', () => {
    const env = new RewardShift(new TinyEnv(4), { every: 3, seed: 1 });
    env.reset();
    // TinyEnv's reward is action - 1, so action 2 earns +1.
    const log = drive(env, 12, () => 2);
    assert.deepEqual(log.rewards, [1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1]);
    assert.deepEqual(log.shiftSteps, [3, 6, 9, 12]);
    assert.deepEqual(
      log.shifts.map((s) => [s.kind, s.params.scale]),
      [
        ['reward', -1],
        ['reward', 1],
        ['reward', -1],
        ['reward', 1],
      ],
    );
    assert.deepEqual(env.params, { scale: 1 });
  });

  it('scales by listed values exactly and never returns -0', () => {
    const env = new RewardShift(new TinyEnv(), { every: 2, values: [0.5, -3] });
    env.reset();
    const log = drive(env, 8, (t) => (t % 2 === 0 ? 1 : 2));
    assert.deepEqual(log.rewards, [1, 0, 0.5, 0, -3, 0, 0.5, 0]);
    assert.ok(log.rewards.every((r) => !Object.is(r, -0)));
  });

  it('draws log-uniform magnitudes with a chance of a negative sign', () => {
    const env = new RewardShift(new TinyEnv(), { every: 1, seed: 3, low: 0.1, high: 10, flipProbability: 0.5 });
    env.reset();
    const scales = drive(env, 200, () => 2).shifts.map((s) => s.params.scale as number);
    assert.ok(scales.every((s) => Math.abs(s) >= 0.1 && Math.abs(s) <= 10));
    const negative = scales.filter((s) => s < 0).length;
    assert.ok(negative > 60 && negative < 140, `${negative} negative of 200`);
  });

  it('counts truncated episodes as episode ends with the episode-end schedule', () => {
    const env = new RewardShift(new TimeLimit(new TinyEnv(), 5), { everyAtEpisodeEnd: 7, seed: 1 });
    env.reset();
    const log = drive(env, 30, () => 2);
    assert.deepEqual(log.shiftSteps, [10, 20, 30]);
    assert.deepEqual(log.rewards.slice(8, 12), [1, 1, -1, -1]);
  });

  it('is deterministic under a seed, differs across seeds, and resumes exactly', () => {
    const build = (seed: number) => new RewardShift(new TinyEnv(6), { every: 4, seed, values: [-2, -1, 0.5, 2, 4], order: 'random' });
    const run = (seed: number) => {
      const env = build(seed);
      env.reset({ seed: 0 });
      return drive(env, 60, (t) => t % 3);
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1).shifts, run(2).shifts);
    const original = build(1);
    original.reset({ seed: 0 });
    drive(original, 21, (t) => t % 3);
    const resumed = build(1);
    restoreEnvState(resumed, JSON.parse(JSON.stringify(captureEnvState(original))));
    assert.deepEqual(drive(resumed, 39, (t) => t % 3), drive(original, 39, (t) => t % 3));
  });

  it('explains bad options', () => {
    assert.throws(() => new RewardShift(new TinyEnv(), { every: 1, flipProbability: 0.5 }), /applies to a low\/high range/);
    assert.throws(() => new RewardShift(new TinyEnv(), { every: 1, low: 1, high: 2, flipProbability: 2 }), /"flipProbability" must be in \[0, 1\]/);
    assert.throws(() => new RewardShift(new TinyEnv(), { every: 1, values: [] }), /non-empty list/);
  });
});
