import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import type { Env } from '../../../envs/core.ts';
import { make, register } from '../../../envs/registration.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import { NormalizeObservation } from '../../../envs/wrappers/normalize-observation.ts';
import { NormalizeReward } from '../../../envs/wrappers/normalize-reward.ts';
import { RecordEpisodeStatistics } from '../../../envs/wrappers/record-episode-statistics.ts';
import { Rng } from '../../../src/util/rng.ts';

register({
  id: 'test/NormalizedPole-v1',
  entryPoint: (k) => new CartPoleEnv(k),
  maxEpisodeSteps: 40,
  additionalWrappers: [(env) => new NormalizeObservation(env), (env) => new NormalizeReward(env), (env) => new RecordEpisodeStatistics(env, { clock: () => 0 })],
});

function run(env: Env<Float32Array, number>, actions: number[]): string[] {
  return actions.map((a) => {
    let r = env.step(a);
    const line = `${Array.from(r.observation).join(',')}|${r.reward}|${r.terminated}|${r.truncated}`;
    if (r.terminated || r.truncated) r = { ...r, observation: env.reset().observation };
    return `${line}|${Array.from(r.observation).join(',')}`;
  });
}

describe('captureEnvState / restoreEnvState', () => {
  it('resumes a made CartPole + normalisation stack mid-episode exactly', () => {
    const rng = new Rng(11);
    const warmup = Array.from({ length: 137 }, () => rng.int(2));
    const actions = Array.from({ length: 100 }, () => rng.int(2));
    const env = make('test/NormalizedPole-v1');
    env.reset({ seed: 42 });
    run(env, warmup);
    const snapshot = JSON.parse(JSON.stringify(captureEnvState(env)));
    const expected = run(env, actions);

    const resumed = make('test/NormalizedPole-v1');
    restoreEnvState(resumed, snapshot);
    assert.deepEqual(run(resumed, actions), expected);
  });

  it('captures TimeLimit and OrderEnforcing counters, so the limit lands on the same step', () => {
    const env = make('test/NormalizedPole-v1', { maxEpisodeSteps: 5 });
    env.reset({ seed: 1 });
    env.step(0);
    env.step(1);
    const snapshot = captureEnvState(env);
    const resumed = make('test/NormalizedPole-v1', { maxEpisodeSteps: 5 });
    restoreEnvState(resumed, snapshot);
    assert.deepEqual([0, 1, 0].map((a) => resumed.step(a).truncated), [false, false, true]);
  });

  it('refuses a snapshot from a differently built stack', () => {
    const snapshot = captureEnvState(make('test/NormalizedPole-v1'));
    assert.throws(() => restoreEnvState(make('test/NormalizedPole-v1', { maxEpisodeSteps: -1 }), snapshot), /layers/);
  });
});
