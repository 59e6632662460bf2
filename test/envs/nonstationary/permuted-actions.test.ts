import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PermutedActions } from '../../../envs/nonstationary/permuted-actions.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { OrderEnforcing } from '../../../envs/wrappers/order-enforcing.ts';
import { captureEnvState, restoreEnvState } from '../../../envs/stateful.ts';
import type { Box } from '../../../envs/spaces.ts';
import { TinyEnv } from './tiny-env.ts';
import { drive } from './drive.ts';

describe('PermutedActions', () => {
  it('runs inner action permutation[a] for a Discrete action a, with a fresh permutation at each shift', () => {
    const inner = new TinyEnv();
    const env = new PermutedActions(inner, { every: 3, seed: 2 });
    env.reset({ seed: 0 });
    const permutations: number[][] = [];
    for (let t = 1; t <= 30; t++) {
      const { permutation } = env.params as { permutation: number[] };
      const action = t % 3;
      const result = env.step(action);
      assert.equal(inner.received.at(-1), permutation[action], `step ${t}`);
      assert.equal(result.reward, permutation[action]! - 1);
      if (result.info.shift) {
        const shift = result.info.shift as { kind: string; params: { permutation: number[] } };
        assert.equal(shift.kind, 'action-permutation');
        assert.deepEqual(shift.params, env.params);
        permutations.push(shift.params.permutation);
      }
    }
    assert.equal(permutations.length, 10);
    for (let i = 1; i < permutations.length; i++) assert.notDeepEqual(permutations[i], permutations[i - 1]);
  });

  it('starts with the identity', () => {
    const inner = new TinyEnv();
    const env = new PermutedActions(inner, { every: 100, seed: 2 });
    env.reset();
    env.step(0);
    env.step(2);
    assert.deepEqual(inner.received, [0, 2]);
    assert.deepEqual(env.params, { permutation: [0, 1, 2] });
  });

  it('permutes and flips Box action dimensions and their bounds', () => {
    const inner = new TinyEnv(1000, 'box');
    const env = new PermutedActions(inner, { every: 1, seed: 5, flipSigns: true });
    const space = env.actionSpace as Box;
    const innerSpace = inner.actionSpace as Box;
    env.reset({ seed: 0 });
    const seen = new Set<string>();
    for (let t = 1; t <= 40; t++) {
      const { permutation, signs } = env.params as { permutation: number[]; signs: number[] };
      seen.add(JSON.stringify(env.params));
      for (let k = 0; k < 2; k++) {
        const j = permutation[k]!;
        assert.equal(space.low[k], signs[k]! > 0 ? innerSpace.low[j] : -innerSpace.high[j]!);
        assert.equal(space.high[k], signs[k]! > 0 ? innerSpace.high[j] : -innerSpace.low[j]!);
      }
      const action = space.sample();
      env.step(action);
      const received = inner.received.at(-1) as number[];
      for (let k = 0; k < 2; k++) assert.equal(received[permutation[k]!], signs[k]! * action[k]!);
      assert.ok(innerSpace.contains(Float32Array.from(received)), 'a valid outer action maps to a valid inner one');
    }
    assert.ok(seen.size >= 6, `saw ${seen.size} regimes`);
  });

  it('is deterministic under a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const env = new PermutedActions(new TimeLimit(new TinyEnv(), 5), { everyAtEpisodeEnd: 3, seed });
      env.reset({ seed: 0 });
      return drive(env, 60, (t) => t % 3);
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(3));
  });

  it('resumes exactly from envState/restoreEnvState', () => {
    const build = () => new PermutedActions(new TimeLimit(new TinyEnv(1000, 'box'), 6), { every: 4, seed: 4, flipSigns: true });
    const original = build();
    original.reset({ seed: 3 });
    const action = (t: number) => Float32Array.of(Math.sin(t), 1 + Math.cos(t));
    drive(original, 13, action);
    const snapshot = JSON.parse(JSON.stringify(captureEnvState(original)));
    const resumed = build();
    restoreEnvState(resumed, snapshot);
    assert.deepEqual(resumed.actionSpace.toJSON(), original.actionSpace.toJSON());
    const a = drive(original, 30, action);
    const b = drive(resumed, 30, action);
    assert.deepEqual(b, a);
  });

  it('rejects actions outside the space and flipSigns for Discrete actions', () => {
    const env = new PermutedActions(new TinyEnv(), { every: 3, seed: 2 });
    env.reset();
    assert.throws(() => env.step(3), /action 3 is not in the action space Discrete\(3\)/);
    assert.throws(() => new PermutedActions(new TinyEnv(), { every: 3, flipSigns: true }), /"flipSigns" applies to Box actions only/);
  });

  it('names its own Box space when the inner env rejects a malformed action', () => {
    const env = new PermutedActions(new OrderEnforcing(new TinyEnv(1000, 'box')), { every: 1, seed: 3, flipSigns: true });
    env.reset({ seed: 0 });
    env.step(Float32Array.of(0, 1));
    const space = String(env.actionSpace);
    assert.notEqual(space, 'Box([-1.0 0.0], [1.0 2.0], (2,), float32)', 'the regime has changed the bounds');
    assert.throws(
      () => env.step(Float32Array.of(5, 5, 5)),
      (error: Error & { code?: string }) => error.code === 'invalid_action' && error.message.includes(space),
    );
  });
});
