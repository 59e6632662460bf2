import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermutedObservations } from '../../../envs/nonstationary/permuted-observations.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import { Box } from '../../../envs/spaces.ts';
import { TinyEnv } from './tiny-env.ts';
import { drive } from './drive.ts';

type Regime = { permutation: number[]; signs: number[] };

describe('PermutedObservations', () => {
  it('returns exactly the inner observation under the current permutation (checked against an unwrapped twin)', () => {
    const env = new PermutedObservations(new TinyEnv(9), { every: 4, seed: 3, flipSigns: true });
    const twin = new TinyEnv(9);
    let outer = env.reset({ seed: 5 }).observation;
    let inner = twin.reset({ seed: 5 }).observation;
    assert.deepEqual(Array.from(outer), Array.from(inner)); // identity before the first shift
    let shifts = 0;
    for (let t = 1; t <= 40; t++) {
      const a = env.step(t % 3);
      const b = twin.step(t % 3);
      if (a.info.shift) shifts++;
      const { permutation, signs } = env.params as Regime;
      for (let k = 0; k < 4; k++) assert.equal(a.observation[k], signs[k]! * b.observation[permutation[k]!]!, `step ${t}, element ${k}`);
      assert.equal(a.reward, b.reward);
      assert.equal(a.terminated, b.terminated);
      assert.ok(a.observation instanceof Float32Array);
      if (a.terminated) {
        outer = env.reset().observation;
        inner = twin.reset().observation;
        for (let k = 0; k < 4; k++) assert.equal(outer[k], signs[k]! * inner[permutation[k]!]!);
      }
    }
    assert.equal(shifts, 10);
  });

  it('without sign flips returns a rearrangement of the same numbers, a fresh one at each shift', () => {
    const env = new PermutedObservations(new TinyEnv(), { every: 3, seed: 1 });
    const twin = new TinyEnv();
    env.reset({ seed: 2 });
    twin.reset({ seed: 2 });
    const regimes: Regime[] = [];
    for (let t = 1; t <= 30; t++) {
      const a = env.step(0);
      const b = twin.step(0);
      assert.deepEqual(Array.from(a.observation).sort(), Array.from(b.observation).sort());
      if (a.info.shift) {
        assert.equal(t % 3, 0);
        const shift = a.info.shift as { kind: string; params: Regime };
        assert.equal(shift.kind, 'observation-permutation');
        assert.deepEqual(shift.params, env.params);
        assert.deepEqual(shift.params.signs, [1, 1, 1, 1]);
        regimes.push(shift.params);
      }
    }
    assert.equal(regimes.length, 10);
    for (let i = 1; i < regimes.length; i++) assert.notDeepEqual(regimes[i], regimes[i - 1]);
    for (const r of regimes) assert.deepEqual([...r.permutation].sort(), [0, 1, 2, 3]);
  });

  it('permutes and flips the asymmetric bounds so every observation stays in the space', () => {
    const inner = new TinyEnv();
    const env = new PermutedObservations(inner, { every: 2, seed: 7, flipSigns: true });
    const space = env.observationSpace;
    env.reset({ seed: 0 });
    let sawFlip = false;
    for (let t = 1; t <= 60; t++) {
      const result = env.step(t % 3);
      assert.ok(space.contains(result.observation), `step ${t}: ${Array.from(result.observation)} not in ${space}`);
      const { permutation, signs } = env.params as Regime;
      for (let k = 0; k < 4; k++) {
        const j = permutation[k]!;
        assert.equal(space.low[k], signs[k]! > 0 ? inner.observationSpace.low[j] : -inner.observationSpace.high[j]!);
        assert.equal(space.high[k], signs[k]! > 0 ? inner.observationSpace.high[j] : -inner.observationSpace.low[j]!);
        if (signs[k]! < 0) sawFlip = true;
      }
    }
    assert.ok(sawFlip);
    assert.equal(env.observationSpace, space, 'the space object is updated in place');
    assert.deepEqual(Array.from(inner.observationSpace.low), [-1, 0, -5, -2], 'the inner space is untouched');
  });

  it('is deterministic under a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const env = new PermutedObservations(new TimeLimit(new TinyEnv(), 7), { every: 5, seed, flipSigns: true });
      env.reset({ seed: 0 });
      return drive(env, 50, (t) => t % 3);
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1).shifts, run(2).shifts);
  });

  it('goes back to the identity and the original bounds on a seeded reset', () => {
    const env = new PermutedObservations(new TinyEnv(), { every: 1, seed: 7, flipSigns: true });
    env.reset({ seed: 0 });
    drive(env, 3, () => 0);
    env.reset({ seed: 0 });
    assert.deepEqual(env.params, { permutation: [0, 1, 2, 3], signs: [1, 1, 1, 1] });
    assert.deepEqual(Array.from(env.observationSpace.low), [-1, 0, -5, -2]);
  });

  it('resumes exactly from envState/restoreEnvState, spaces included', () => {
    const build = () => new PermutedObservations(new TimeLimit(new TinyEnv(), 6), { everyAtEpisodeEnd: 8, seed: 4, flipSigns: true });
    const original = build();
    original.reset({ seed: 3 });
    drive(original, 17, (t) => t % 3);
    const snapshot = JSON.parse(JSON.stringify(captureEnvState(original)));
    const resumed = build();
    restoreEnvState(resumed, snapshot);
    assert.deepEqual(resumed.observationSpace.toJSON(), original.observationSpace.toJSON());
    const a = drive(original, 50, (t) => (t * 5) % 3);
    const b = drive(resumed, 50, (t) => (t * 5) % 3);
    assert.ok(a.shifts.length >= 3);
    assert.deepEqual(b, a);
  });

  it('refuses a non-Box observation space and a single element without flips', () => {
    const discreteObs = { observationSpace: new TinyEnv().actionSpace, actionSpace: new TinyEnv().actionSpace, unwrapped: null } as never;
    assert.throws(() => new PermutedObservations(discreteObs, { every: 1 }), /needs a Box observation space, got Discrete\(3\)/);
    const single = { ...new TinyEnv(), observationSpace: new Box(-1, 1, [1]) } as never;
    assert.throws(() => new PermutedObservations(single, { every: 1 }), /at least 2 elements/);
  });
});
