import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DriftingPhysics } from '../../../envs/nonstationary/drifting-physics.ts';
import type { PhysicalEnv } from '../../../envs/core.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import { TinyEnv } from './tiny-env.ts';
import { drive } from './drive.ts';

const physicsOf = (env: { unwrapped: unknown }) => (env.unwrapped as PhysicalEnv).physics;

describe('DriftingPhysics', () => {
  it('shifts every N steps across episode boundaries and reports the values the env now has', () => {
    const env = new DriftingPhysics(new TinyEnv(7), { every: 5, seed: 1, parameters: { gain: { low: 0.5, high: 8 } } });
    env.reset();
    const seen: number[] = [];
    for (let t = 1; t <= 30; t++) {
      const result = env.step(t % 3);
      if (result.terminated) env.reset();
      if (result.info.shift) {
        seen.push(t);
        const shift = result.info.shift as { kind: string; params: { gain: number } };
        assert.equal(shift.kind, 'physics');
        assert.deepEqual(shift.params, { gain: physicsOf(env).gain });
        assert.deepEqual(env.params, shift.params);
      }
    }
    assert.deepEqual(seen, [5, 10, 15, 20, 25, 30]);
    assert.equal(env.shiftCount, 6);
  });

  it('starts from the env’s own parameters and changes only the named ones', () => {
    const env = new DriftingPhysics(new TinyEnv(), { every: 2, seed: 1, parameters: { gain: { values: [5] } } });
    env.reset();
    assert.deepEqual(env.params, { gain: 2 });
    env.step(0);
    assert.equal(physicsOf(env).gain, 2);
    env.step(0);
    assert.deepEqual(physicsOf(env), { gain: 5, drag: 0.5, mass: 1 });
  });

  it('cycles list values in order, and scales the original value with relative', () => {
    const env = new DriftingPhysics(new TinyEnv(), {
      every: 3,
      seed: 2,
      parameters: { gain: { values: [0.1, 0.2, 0.3] }, drag: { values: [2, 4], relative: true } },
    });
    env.reset();
    const log = drive(env, 12, () => 1);
    assert.deepEqual(
      log.shifts.map((s) => s.params),
      [
        { gain: 0.1, drag: 1 },
        { gain: 0.2, drag: 2 },
        { gain: 0.3, drag: 1 },
        { gain: 0.1, drag: 2 },
      ],
    );
  });

  it('changes the dynamics: the next step uses the new parameter', () => {
    // TinyEnv: s0' = clamp(s0 * drag + 0.1 * gain * (action - 1)).
    const env = new DriftingPhysics(new TinyEnv(), { every: 1, seed: 3, parameters: { drag: { values: [0] } } });
    env.reset({ seed: 0 });
    env.step(1); // drag 0.5 during this step, 0 after it
    const next = env.step(2);
    assert.equal(next.observation[0], Math.fround(0.2));
  });

  it('switches at the first episode end after N steps and keeps the values for the whole next episode', () => {
    const env = new DriftingPhysics(new TinyEnv(3), { everyAtEpisodeEnd: 7, seed: 4, parameters: { mass: { low: 0.1, high: 10 } } });
    env.reset();
    const massAtStep: number[] = [];
    const log = drive(env, 30, (t) => {
      massAtStep[t] = physicsOf(env).mass!;
      return 0;
    });
    assert.deepEqual(log.episodeEnds, [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    assert.deepEqual(log.shiftSteps, [9, 18, 27]);
    // Within each episode the mass is constant; it changes only between episodes 9|10, 18|19, 27|28.
    for (let t = 2; t <= 30; t++) {
      const changed = massAtStep[t] !== massAtStep[t - 1];
      assert.equal(changed, t === 10 || t === 19 || t === 28, `step ${t}`);
    }
  });

  it('treats TimeLimit truncations as episode ends', () => {
    const env = new DriftingPhysics(new TimeLimit(new TinyEnv(), 4), { everyAtEpisodeEnd: 10, seed: 5, parameters: { gain: { low: 1, high: 3 } } });
    env.reset();
    const log = drive(env, 40, () => 2);
    assert.deepEqual(log.shiftSteps, [12, 24, 36]);
  });

  it('draws the same values at the same steps for the same seed, and others for another seed', () => {
    const run = (options: { seed?: number }, resetSeed?: number) => {
      const env = new DriftingPhysics(new TinyEnv(6), { every: 4, ...options, parameters: { gain: { low: 0.1, high: 10 } } });
      env.reset(resetSeed === undefined ? undefined : { seed: resetSeed });
      return drive(env, 40, () => 0);
    };
    const a = run({ seed: 11 });
    const b = run({ seed: 11 });
    const c = run({ seed: 12 });
    assert.deepEqual(a.shiftSteps, b.shiftSteps);
    assert.deepEqual(a.shifts, b.shifts);
    assert.deepEqual(a.shiftSteps, c.shiftSteps);
    assert.notDeepEqual(a.shifts, c.shifts);
    assert.deepEqual(run({}, 3).shifts, run({}, 3).shifts);
    assert.notDeepEqual(run({}, 3).shifts, run({}, 4).shifts);
    assert.notDeepEqual(run({ seed: 11 }, 3).shifts, run({}, 3).shifts);
  });

  it('restarts the schedule and restores the original values on a seeded reset', () => {
    const env = new DriftingPhysics(new TinyEnv(), { every: 3, parameters: { gain: { low: 0.1, high: 10 } } });
    env.reset({ seed: 8 });
    const first = drive(env, 10, () => 0);
    assert.notEqual(physicsOf(env).gain, 2);
    env.reset({ seed: 8 });
    assert.equal(physicsOf(env).gain, 2);
    assert.equal(env.totalSteps, 0);
    const second = drive(env, 10, () => 0);
    assert.deepEqual(second.shifts, first.shifts);
    assert.deepEqual(second.rewards, first.rewards);
  });

  it('resumes exactly from envState/restoreEnvState in the middle of a run', () => {
    const build = () => new DriftingPhysics(new TimeLimit(new TinyEnv(), 5), { everyAtEpisodeEnd: 6, seed: 9, parameters: { gain: { values: [1, 3, 5], order: 'random' }, drag: { low: 0.2, high: 0.9 } } });
    const original = build();
    original.reset({ seed: 1 });
    drive(original, 23, (t) => t % 3);
    const snapshot = JSON.parse(JSON.stringify(captureEnvState(original)));
    const resumed = build();
    restoreEnvState(resumed, snapshot);
    assert.deepEqual(resumed.params, original.params);
    const a = drive(original, 40, (t) => (t * 7) % 3);
    const b = drive(resumed, 40, (t) => (t * 7) % 3);
    assert.ok(a.shifts.length >= 3);
    assert.deepEqual(b, a);
  });

  it('names the valid parameters when given an unknown one', () => {
    assert.throws(
      () => new DriftingPhysics(new TinyEnv(), { every: 1, parameters: { length: { values: [1] } } }),
      (error: Error & { code?: string }) => error.code === 'unknown_physics_parameter' && /no physical parameter "length"; valid ones: gain, drag, mass/.test(error.message),
    );
    assert.throws(() => new DriftingPhysics(new TinyEnv(), { every: 1, parameters: {} }), /at least one physical parameter/);
    assert.throws(() => new DriftingPhysics(new TinyEnv(), { parameters: { gain: { values: [1] } } }), /exactly one of "every"/);
    assert.throws(() => new DriftingPhysics(new TinyEnv(), { every: 1, seed: -1, parameters: { gain: { values: [1] } } }), /seed must be a non-negative integer/);
  });

  it('refuses an env without physical parameters', () => {
    const plain = new TinyEnv();
    const notPhysical = Object.assign(Object.create(null), { unwrapped: {}, observationSpace: plain.observationSpace, actionSpace: plain.actionSpace });
    assert.throws(() => new DriftingPhysics(notPhysical, { every: 1, parameters: { gain: { values: [1] } } }), /needs an env with physical parameters/);
  });
});
