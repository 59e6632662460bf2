/**
 * Behaviour every classic-control env shares: seeding, state and snapshot round trips, argument
 * checks, spaces, and a hot path that allocates only what it returns.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AcrobotEnv, CartPoleEnv, ContinuousMountainCarEnv, MountainCarEnv, PendulumEnv } from '../../../envs/classic-control/index.ts';
import { isPhysicalEnv } from '../../../envs/core.ts';
import type { Env, PhysicalEnv } from '../../../envs/core.ts';
import type { Box } from '../../../envs/spaces.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

type ClassicEnv = Env<Float32Array, any> &
  PhysicalEnv & { envState(): unknown; restoreEnvState(s: unknown): void; observationSpace: Box & Env<Float32Array>['observationSpace'] };

interface Case {
  name: string;
  make: (kwargs?: Record<string, unknown>) => ClassicEnv;
  /** A deterministic action for step i. */
  action: (i: number) => unknown;
  stateNames: number;
  physics: string[];
  observationHigh: number[];
  /** Defaults to -observationHigh. */
  observationLow?: number[];
  actionSpace: string;
}

const cases: Case[] = [
  {
    name: 'CartPoleEnv',
    make: (k) => new CartPoleEnv(k) as unknown as ClassicEnv,
    action: (i) => (i * 7) % 3 === 0 ? 1 : 0,
    stateNames: 4,
    physics: ['gravity', 'massCart', 'massPole', 'length', 'forceMag', 'tau'],
    observationHigh: [4.8, Infinity, (24 * Math.PI) / 180, Infinity],
    actionSpace: 'Discrete(2)',
  },
  {
    name: 'AcrobotEnv',
    make: (k) => new AcrobotEnv(k) as unknown as ClassicEnv,
    action: (i) => (i * 5) % 3,
    stateNames: 4,
    physics: ['linkLength1', 'linkLength2', 'linkMass1', 'linkMass2', 'linkComPosition1', 'linkComPosition2', 'linkMoi', 'gravity', 'dt'],
    observationHigh: [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI],
    actionSpace: 'Discrete(3)',
  },
  {
    name: 'MountainCarEnv',
    make: (k) => new MountainCarEnv(k) as unknown as ClassicEnv,
    action: (i) => (i % 10 < 5 ? 0 : 2),
    stateNames: 2,
    physics: ['force', 'gravity'],
    observationHigh: [0.6, 0.07],
    observationLow: [-1.2, -0.07],
    actionSpace: 'Discrete(3)',
  },
  {
    name: 'ContinuousMountainCarEnv',
    make: (k) => new ContinuousMountainCarEnv(k) as unknown as ClassicEnv,
    action: (i) => Float32Array.of(Math.sin(i * 0.7) * 1.4),
    stateNames: 2,
    physics: ['power', 'gravity'],
    observationHigh: [0.6, 0.07],
    observationLow: [-1.2, -0.07],
    actionSpace: 'Box(-1.0, 1.0, (1,), float32)',
  },
  {
    name: 'PendulumEnv',
    make: (k) => new PendulumEnv(k) as unknown as ClassicEnv,
    action: (i) => Float32Array.of(Math.cos(i * 0.3) * 2.5),
    stateNames: 2,
    physics: ['g', 'm', 'l', 'dt', 'maxSpeed', 'maxTorque'],
    observationHigh: [1, 1, 8],
    actionSpace: 'Box(-2.0, 2.0, (1,), float32)',
  },
];

function rollout(c: Case, env: ClassicEnv, from: number, steps: number): number[][] {
  const out: number[][] = [];
  for (let i = from; i < from + steps; i++) {
    const r = env.step(c.action(i));
    out.push([...r.observation, r.reward, r.terminated ? 1 : 0]);
  }
  return out;
}

function throwsCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PlasticdError, `expected a PlasticdError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

for (const c of cases) {
  describe(c.name, () => {
    it('is a PhysicalEnv whose physics names are the documented ones', () => {
      const env = c.make();
      assert.ok(isPhysicalEnv(env));
      assert.deepEqual(Object.keys(env.physics), c.physics);
    });

    it("has Gymnasium's spaces", () => {
      const env = c.make();
      assert.equal(String(env.actionSpace), c.actionSpace);
      const box = env.observationSpace as unknown as Box;
      assert.equal(box.dtype, 'float32');
      assert.deepEqual(Array.from(box.high), c.observationHigh.map(Math.fround));
      assert.deepEqual(Array.from(box.low), (c.observationLow ?? c.observationHigh.map((h) => -h)).map(Math.fround));
    });

    it('gives the same episode for the same seed and a different one for another seed', () => {
      const a = c.make();
      const b = c.make();
      const first = a.reset({ seed: 42 }).observation;
      assert.deepEqual(b.reset({ seed: 42 }).observation, first);
      assert.deepEqual(rollout(c, a, 0, 30), rollout(c, b, 0, 30));
      assert.notDeepEqual(a.reset({ seed: 43 }).observation, first);
      assert.ok(a.observationSpace.contains(first), 'reset observation lies in the observation space');
    });

    it('returns the state it was given and rejects a malformed one', () => {
      const env = c.make();
      const state = Array.from({ length: c.stateNames }, (_, i) => 0.01 * (i + 1));
      env.state = state;
      assert.deepEqual(env.state, state);
      throwsCode(() => (env.state = state.slice(1)), 'invalid_state', new RegExp(`${c.stateNames} finite numbers`));
      throwsCode(() => (env.state = state.map(() => NaN)), 'invalid_state');
    });

    it('resumes exactly from envState(), RNG included', () => {
      const env = c.make();
      env.reset({ seed: 7 });
      rollout(c, env, 0, 10);
      env.setPhysics(c.physics[0]!, env.physics[c.physics[0]!]! * 1.1);
      const snapshot = JSON.parse(JSON.stringify(env.envState()));
      const expected = rollout(c, env, 10, 20);
      const nextReset = env.reset().observation;
      const restored = c.make();
      restored.restoreEnvState(snapshot);
      assert.deepEqual(restored.physics, JSON.parse(JSON.stringify(snapshot)).physics);
      assert.deepEqual(rollout(c, restored, 10, 20), expected);
      assert.deepEqual(restored.reset().observation, nextReset);
      throwsCode(() => restored.restoreEnvState({ env: 'SomethingElse' }), 'env_state_mismatch');
    });

    it('rejects unknown physics names (listing the valid ones) and bad values', () => {
      const env = c.make();
      throwsCode(() => env.setPhysics('nonsense', 1), 'unknown_physics_parameter', new RegExp(c.physics.join(', ')));
      throwsCode(() => env.setPhysics(c.physics[0]!, NaN), 'invalid_physics_value');
      env.setPhysics(c.physics[1]!, 0.5);
      assert.equal(env.physics[c.physics[1]!], 0.5);
    });

    it('rejects unknown kwargs, listing the valid ones', () => {
      throwsCode(() => c.make({ notAKwarg: 1 }), 'invalid_kwargs', /notAKwarg.*valid kwargs/);
      throwsCode(() => c.make({ renderMode: 'human' }), 'invalid_kwargs', /render/);
      assert.doesNotThrow(() => c.make({ renderMode: null }));
    });

    it('rejects an invalid action, naming it and the action space', () => {
      const env = c.make();
      env.reset({ seed: 1 });
      const bad = c.actionSpace.startsWith('Discrete') ? 7 : [1, 2];
      throwsCode(() => env.step(bad), 'invalid_action', new RegExp(`${String(bad).replace(/[[\]]/g, '')}.*${c.actionSpace.replace(/[().]/g, '\\$&')}`));
      throwsCode(() => env.step(c.actionSpace.startsWith('Discrete') ? 0.5 : ['x']), 'invalid_action');
    });

    it('refuses to step before the first reset', () => {
      throwsCode(() => c.make().step(c.action(0)), 'reset_needed');
    });
  });
}
