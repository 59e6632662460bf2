import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnv, ClipAction, make, NormalizeObservation, NormalizeReward, RecordEpisodeStatistics, registeredIds, registrationOf, RescaleAction } from '../../envs/index.ts';
import { Box, TransformObservation, TransformReward } from '../../envs/index.ts';
import type { Env } from '../../envs/index.ts';
import { loadMujoco } from '../../envs/index.ts';

await loadMujoco(); // the MuJoCo ids are registered too

// Gymnasium v1.3.0 gymnasium/envs/__init__.py
const CLASSIC = {
  'CartPole-v1': { maxEpisodeSteps: 500, rewardThreshold: 475 },
  'Acrobot-v1': { maxEpisodeSteps: 500, rewardThreshold: -100 },
  'MountainCar-v0': { maxEpisodeSteps: 200, rewardThreshold: -110 },
  'MountainCarContinuous-v0': { maxEpisodeSteps: 999, rewardThreshold: 90 },
  'Pendulum-v1': { maxEpisodeSteps: 200, rewardThreshold: undefined },
};

describe('the classic-control registrations', () => {
  for (const [id, expected] of Object.entries(CLASSIC)) {
    it(`registers ${id} with Gymnasium's limit and threshold`, () => {
      const registration = registrationOf(id);
      assert.ok(registration, `${id} is registered`);
      assert.equal(registration.maxEpisodeSteps, expected.maxEpisodeSteps);
      assert.equal(registration.rewardThreshold, expected.rewardThreshold);
      assert.equal(make(id).spec?.maxEpisodeSteps, expected.maxEpisodeSteps);
    });
  }
});

describe('checkEnv on every registered id', () => {
  for (const id of registeredIds()) {
    it(`${id} conforms`, () => {
      checkEnv(() => make(id), { seed: 1, steps: 150 });
      checkEnv(make(id), { seed: 2, steps: 150 });
    });
  }
});

type AnyEnv = Env<any, any>;
const WRAPPERS: Array<[string, string, (env: AnyEnv) => AnyEnv]> = [
  ['RecordEpisodeStatistics', 'CartPole-v1', (env) => new RecordEpisodeStatistics(env, { clock: () => 0 })],
  ['NormalizeObservation', 'CartPole-v1', (env) => new NormalizeObservation(env)],
  ['NormalizeReward', 'CartPole-v1', (env) => new NormalizeReward(env)],
  ['TransformObservation', 'CartPole-v1', (env) => new TransformObservation(env, (o: Float32Array) => o.map(Math.tanh), new Box(-1, 1, [4], 'float32'))],
  ['TransformReward', 'CartPole-v1', (env) => new TransformReward(env, (r) => r * 0.01)],
  ['RecordEpisodeStatistics', 'Pendulum-v1', (env) => new RecordEpisodeStatistics(env, { clock: () => 0 })],
  ['NormalizeObservation', 'Pendulum-v1', (env) => new NormalizeObservation(env)],
  ['NormalizeReward', 'Pendulum-v1', (env) => new NormalizeReward(env)],
  ['ClipAction', 'Pendulum-v1', (env) => new ClipAction(env)],
  ['RescaleAction', 'Pendulum-v1', (env) => new RescaleAction(env, -1, 1)],
  ['all of them stacked', 'Pendulum-v1', (env) => new NormalizeReward(new NormalizeObservation(new RescaleAction(new RecordEpisodeStatistics(env, { clock: () => 0 }), -1, 1)))],
];

describe('checkEnv on each wrapper', () => {
  for (const [name, id, wrap] of WRAPPERS) {
    it(`${name} over ${id} conforms`, () => {
      checkEnv(() => wrap(make(id)), { seed: 4, steps: 250 });
      checkEnv(wrap(make(id)), { seed: 5, steps: 250 });
    });
  }
});
