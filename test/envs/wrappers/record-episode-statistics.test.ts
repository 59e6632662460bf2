import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { RecordEpisodeStatistics } from '../../../envs/wrappers/record-episode-statistics.ts';
import type { EpisodeStatistics } from '../../../envs/wrappers/record-episode-statistics.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';

/** A fake clock advanced by hand, in seconds. */
function fakeClock() {
  const clock = { now: 100, read: () => clock.now };
  return clock;
}

describe('RecordEpisodeStatistics', () => {
  it('adds {r, l, t} to info on the final step only', () => {
    const clock = fakeClock();
    const env = new RecordEpisodeStatistics(new TimeLimit(new CartPoleEnv(), 5), { clock: clock.read });
    env.reset({ seed: 0 });
    for (let i = 0; i < 4; i++) {
      clock.now += 0.25;
      assert.equal(env.step(i % 2).info.episode, undefined);
    }
    clock.now += 0.25;
    const last = env.step(0);
    assert.equal(last.truncated, true);
    assert.deepEqual(last.info.episode as EpisodeStatistics, { r: 5, l: 5, t: 1.25 });
  });

  it('keeps the last bufferLength returns, lengths and times', () => {
    const clock = fakeClock();
    const env = new RecordEpisodeStatistics(new TimeLimit(new CartPoleEnv(), 3), { bufferLength: 2, clock: clock.read });
    env.reset({ seed: 0 });
    for (let episode = 0; episode < 3; episode++) {
      for (let i = 0; i < 3; i++) {
        clock.now += 1;
        env.step(i % 2);
      }
      env.reset();
    }
    assert.equal(env.episodeCount, 3);
    assert.deepEqual(env.returnQueue, [3, 3]);
    assert.deepEqual(env.lengthQueue, [3, 3]);
    assert.deepEqual(env.timeQueue, [3, 3]);
  });

  it('does not mutate the inner info object', () => {
    const shared = {};
    const inner = new TimeLimit(new CartPoleEnv(), 1);
    const original = inner.step.bind(inner);
    inner.step = (a: number) => ({ ...original(a), info: shared });
    const env = new RecordEpisodeStatistics(inner, { clock: () => 0 });
    env.reset({ seed: 0 });
    assert.ok(env.step(0).info.episode);
    assert.deepEqual(shared, {});
  });

  it('uses another info key when asked', () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new CartPoleEnv(), 1), { statsKey: 'stats', clock: () => 0 });
    env.reset({ seed: 0 });
    const info = env.step(1).info;
    assert.deepEqual(info.stats, { r: 1, l: 1, t: 0 });
    assert.equal(info.episode, undefined);
  });
});
