import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import '../../../envs/nonstationary/registrations.ts';
import { make, registeredIds, registrationOf } from '../../../envs/registration.ts';
import { checkEnv } from '../../../envs/check-env.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { NormalizeObservation } from '../../../envs/wrappers/normalize-observation.ts';
import { NormalizeReward } from '../../../envs/wrappers/normalize-reward.ts';
import { RecordEpisodeStatistics } from '../../../envs/wrappers/record-episode-statistics.ts';
import type { PhysicalEnv } from '../../../envs/core.ts';
import { DriftingPhysics } from '../../../envs/nonstationary/drifting-physics.ts';
import { PermutedActions } from '../../../envs/nonstationary/permuted-actions.ts';
import { PermutedObservations } from '../../../envs/nonstationary/permuted-observations.ts';
import { RewardShift } from '../../../envs/nonstationary/reward-shift.ts';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { PendulumEnv } from '../../../envs/classic-control/pendulum.ts';
import { AcrobotEnv } from '../../../envs/classic-control/acrobot.ts';
import { loadMujoco } from '../../../envs/mujoco/runtime.ts';
import { drive } from './drive.ts';

const IDS = {
  'plasticd/DriftingCartPole-v1': DriftingPhysics,
  'plasticd/SlipperyCartPole-v1': DriftingPhysics,
  'plasticd/PermutedCartPole-v1': PermutedObservations,
  'plasticd/DriftingPendulum-v1': DriftingPhysics,
  'plasticd/FlippingRewardPendulum-v1': RewardShift,
  'plasticd/PermutedActionsAcrobot-v1': PermutedActions,
  'plasticd/SlipperyAnt-v5': DriftingPhysics,
} as const;

await loadMujoco();

const physicsOf = (env: { unwrapped: unknown }) => (env.unwrapped as PhysicalEnv).physics;
const codeAndMessage = (code: string, pattern: RegExp) => (error: Error & { code?: string }) => error.code === code && pattern.test(error.message);

describe('nonstationary registrations', () => {
  it('registers every plasticd/ id with a description and the wrapper outside TimeLimit', () => {
    assert.deepEqual(
      registeredIds().filter((id) => id.startsWith('plasticd/')),
      Object.keys(IDS).sort(),
    );
    for (const [id, cls] of Object.entries(IDS)) {
      assert.ok(registrationOf(id)!.description!.length > 20, id);
      const env = make(id);
      assert.ok(env instanceof cls, `${id} outermost is ${String(env)}`);
      assert.ok((env as unknown as { env: unknown }).env instanceof TimeLimit, `${id}: the wrapper wraps TimeLimit`);
      assert.equal(env.spec!.id, id);
    }
  });

  for (const id of Object.keys(IDS)) {
    it(`${id} passes checkEnv with its defaults and with shifts inside the check`, () => {
      checkEnv(make(id));
      checkEnv(() => make(id));
      const schedule = id.includes('Slippery') ? { everyAtEpisodeEnd: 15 } : { every: 17 };
      checkEnv(make(id, { kwargs: { ...schedule, seed: 3 } }), { steps: 300 });
      checkEnv(() => make(id, { kwargs: schedule }), { steps: 300 });
    });
  }

  it('conforms with normalisation and episode statistics stacked outside, shifts included', () => {
    const stack = (id: string) => new NormalizeReward(new NormalizeObservation(new RecordEpisodeStatistics(make(id, { kwargs: { every: 23 } }), { clock: () => 0 })));
    for (const id of Object.keys(IDS)) {
      checkEnv(() => stack(id), { seed: 6, steps: 250 });
      checkEnv(stack(id), { seed: 7, steps: 250 });
    }
  });

  it('DriftingCartPole draws the pole length log-uniformly in [0.25, 2] every 20k steps by default', () => {
    const env = make('plasticd/DriftingCartPole-v1');
    env.reset({ seed: 1 });
    const log = drive(env, 40_000, (t) => t % 2);
    assert.deepEqual(log.shiftSteps, [20_000, 40_000]);
    for (const shift of log.shifts) {
      const length = shift.params.length as number;
      assert.ok(length >= 0.25 && length <= 2, `length ${length}`);
    }
    assert.deepEqual(log.shifts.at(-1)!.params, { length: physicsOf(env).length });
    assert.notEqual(physicsOf(env).length, 0.5);
  });

  it('takes kwargs over the defaults, including the other alternative of a default', () => {
    const listed = make('plasticd/DriftingCartPole-v1', { kwargs: { every: 10, values: [0.3, 0.6] } });
    listed.reset({ seed: 0 });
    assert.deepEqual(
      drive(listed, 40, (t) => t % 2).shifts.map((s) => s.params.length),
      [0.3, 0.6, 0.3, 0.6],
    );
    const atEnd = make('plasticd/DriftingCartPole-v1', { kwargs: { everyAtEpisodeEnd: 30, parameter: 'massPole', values: [0.2], relative: true } });
    atEnd.reset({ seed: 0 });
    const log = drive(atEnd, 300, () => 1);
    assert.ok(log.shiftSteps.length > 0 && log.shiftSteps.every((t) => log.episodeEnds.includes(t)));
    assert.ok(Math.abs(physicsOf(atEnd).massPole! - 0.02) < 1e-12);
    const pendulum = make('plasticd/DriftingPendulum-v1', { kwargs: { every: 5, parameter: 'l', values: [2] } });
    pendulum.reset({ seed: 0 });
    drive(pendulum, 5, () => Float32Array.of(0));
    assert.deepEqual(physicsOf(pendulum), { ...new PendulumEnv().physics, l: 2 });
  });

  it('SlipperyCartPole changes the force only at episode ends, keeping it for the whole next episode', () => {
    const env = make('plasticd/SlipperyCartPole-v1', { kwargs: { everyAtEpisodeEnd: 40 } });
    env.reset({ seed: 2 });
    const forces: number[] = [];
    const log = drive(env, 600, (t) => {
      forces[t] = physicsOf(env).forceMag!;
      return t % 2;
    });
    assert.ok(log.shiftSteps.length >= 3);
    for (let t = 2; t <= 600; t++) if (forces[t] !== forces[t - 1]) assert.ok(log.episodeEnds.includes(t - 1), `force changed mid-episode at ${t}`);
    for (const shift of log.shifts) assert.ok((shift.params.forceMag as number) >= 2.5 && (shift.params.forceMag as number) <= 20);
  });

  it('DriftingPendulum drifts g and m within their ranges', () => {
    const env = make('plasticd/DriftingPendulum-v1', { kwargs: { every: 100, seed: 1 } });
    env.reset({ seed: 0 });
    const log = drive(env, 1000, () => Float32Array.of(1));
    assert.equal(log.shifts.length, 10);
    for (const { params } of log.shifts) {
      assert.ok((params.g as number) >= 5 && (params.g as number) <= 20);
      assert.ok((params.m as number) >= 0.5 && (params.m as number) <= 2);
    }
    assert.deepEqual(log.shifts.at(-1)!.params, { g: physicsOf(env).g, m: physicsOf(env).m });
  });

  it('FlippingRewardPendulum returns the twin Pendulum reward, negated in odd regimes', () => {
    const env = make('plasticd/FlippingRewardPendulum-v1', { kwargs: { every: 50 } });
    const twin = new PendulumEnv();
    env.reset({ seed: 4 });
    twin.reset({ seed: 4 });
    for (let t = 1; t <= 200; t++) {
      const action = Float32Array.of(Math.sin(t));
      const a = env.step(action);
      const b = twin.step(action);
      const sign = Math.floor((t - 1) / 50) % 2 === 0 ? 1 : -1;
      assert.equal(a.reward, sign * b.reward + 0, `step ${t}`);
      assert.deepEqual(Array.from(a.observation), Array.from(b.observation));
      assert.equal(Boolean(a.info.shift), t % 50 === 0);
    }
  });

  it('PermutedActionsAcrobot applies the permuted torque (checked against an unwrapped twin)', () => {
    const env = make('plasticd/PermutedActionsAcrobot-v1', { kwargs: { every: 25, seed: 9 } });
    const twin = new AcrobotEnv();
    env.reset({ seed: 1 });
    twin.reset({ seed: 1 });
    for (let t = 1; t <= 200; t++) {
      const { permutation } = (env as PermutedActions).params as { permutation: number[] };
      const action = t % 3;
      const a = env.step(action);
      const b = twin.step(permutation[action]!);
      assert.deepEqual(Array.from(a.observation), Array.from(b.observation), `step ${t}`);
      assert.equal(a.reward, b.reward);
    }
  });

  it('PermutedCartPole permutes the CartPole observation', () => {
    const env = make('plasticd/PermutedCartPole-v1', { kwargs: { every: 10, seed: 2 } });
    const twin = new CartPoleEnv();
    env.reset({ seed: 3 });
    twin.reset({ seed: 3 });
    for (let t = 1; t <= 60; t++) {
      const a = env.step(t % 2);
      const b = twin.step(t % 2);
      const { permutation } = (env as PermutedObservations).params as { permutation: number[] };
      assert.deepEqual(Array.from(a.observation), permutation.map((j) => b.observation[j]));
      if (a.terminated || a.truncated) break;
    }
  });

  it('resumes a made env exactly from captureEnvState/restoreEnvState', () => {
    const id = 'plasticd/SlipperyCartPole-v1';
    const original = make(id, { kwargs: { everyAtEpisodeEnd: 20, seed: 5 } });
    original.reset({ seed: 0 });
    drive(original, 137, (t) => (t * 3) % 2);
    const resumed = make(id, { kwargs: { everyAtEpisodeEnd: 20, seed: 5 } });
    restoreEnvState(resumed, JSON.parse(JSON.stringify(captureEnvState(original))));
    const a = drive(original, 400, (t) => (t * 3) % 2);
    const b = drive(resumed, 400, (t) => (t * 3) % 2);
    assert.ok(a.shifts.length >= 2);
    assert.deepEqual(b, a);
  });

  it('names the id and the key when a kwarg is wrong', () => {
    const id = 'plasticd/DriftingCartPole-v1';
    assert.throws(() => make(id, { kwargs: { every: 0 } }), codeAndMessage('invalid_env_kwargs', /DriftingCartPole-v1: kwarg "every" must be a positive integer, got 0/));
    assert.throws(() => make(id, { kwargs: { seed: 'x' } }), /DriftingCartPole-v1: kwarg "seed" must be a non-negative integer/);
    assert.throws(() => make(id, { kwargs: { every: 5, everyAtEpisodeEnd: 5 } }), /DriftingCartPole-v1: give exactly one of the kwargs "every" and "everyAtEpisodeEnd", got both/);
    assert.throws(() => make(id, { kwargs: { evry: 5 } }), codeAndMessage('invalid_kwargs', /DriftingCartPole-v1: .*unknown kwarg "evry".*also takes every, everyAtEpisodeEnd, seed/));
    assert.throws(() => make(id, { kwargs: { parameter: 'mass' } }), codeAndMessage('unknown_physics_parameter', /DriftingCartPole-v1: .*no physical parameter "mass"; valid ones: gravity, massCart, massPole, length, forceMag, tau/));
    assert.throws(() => make(id, { kwargs: { low: 0 } }), /DriftingCartPole-v1: .*0 < low <= high/);
    assert.throws(() => make(id, { kwargs: { values: [1], low: 1 } }), /DriftingCartPole-v1: .*not both/);
    assert.throws(() => make(id, { kwargs: { parameters: { length: { lo: 1 } } } }), /DriftingCartPole-v1: kwarg "parameters.length" has unknown key "lo"/);
    assert.throws(() => make('plasticd/PermutedCartPole-v1', { kwargs: { flipSigns: 'yes' } }), /PermutedCartPole-v1: kwarg "flipSigns" must be true or false/);
    assert.throws(() => make('plasticd/FlippingRewardPendulum-v1', { kwargs: { values: [] } }), /FlippingRewardPendulum-v1: kwarg "values" must be a non-empty list/);
  });
});
