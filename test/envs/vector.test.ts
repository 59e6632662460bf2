import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { float32Box } from '../../envs/classic-control/checks.ts';
import { CartPoleEnv } from '../../envs/classic-control/cart-pole.ts';
import { BaseEnv } from '../../envs/core.ts';
import type { ResetArgs, ResetResult, StepResult } from '../../envs/core.ts';
import { Box, Discrete } from '../../envs/spaces.ts';
import type { BoxValue } from '../../envs/spaces.ts';
import { SyncVectorEnv } from '../../envs/vector/sync-vector-env.ts';
import { OrderEnforcing } from '../../envs/wrappers/order-enforcing.ts';
import { TimeLimit } from '../../envs/wrappers/time-limit.ts';

/** Observation [seed, t, lastAction]; the episode terminates after `length` steps; info.t on every step. */
class CountingEnv extends BaseEnv<Float32Array, BoxValue> {
  readonly observationSpace = float32Box(-1e6, 1e6, [3]);
  readonly actionSpace = new Box(-1, 1, [1], 'float32');
  private t = 0;
  private seedSeen = -1;
  constructor(private readonly length: number) {
    super();
  }
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    this.seedOnReset(args);
    if (args?.seed !== undefined) this.seedSeen = args.seed;
    this.t = 0;
    return { observation: Float32Array.of(this.seedSeen, 0, 0), info: { reset: true } };
  }
  step(action: BoxValue): StepResult<Float32Array> {
    this.t++;
    const info: Record<string, unknown> = { t: this.t };
    if (this.t === this.length) info.final = { length: this.t };
    return { observation: Float32Array.of(this.seedSeen, this.t, action[0]!), reward: this.t, terminated: this.t >= this.length, truncated: false, info };
  }
}

describe('SyncVectorEnv', () => {
  it('seeds env i with seed + i and batches observations row by row', () => {
    const vec = new SyncVectorEnv([1, 2, 3].map(() => () => new CountingEnv(5)));
    const { observations, infos } = vec.reset({ seed: 10 });
    assert.ok(observations instanceof Float32Array);
    assert.deepEqual(Array.from(observations), [10, 0, 0, 11, 0, 0, 12, 0, 0]);
    assert.deepEqual(Array.from(infos._reset as Uint8Array), [1, 1, 1]);
    assert.deepEqual(infos.reset, [true, true, true]);
  });

  it('batches the spaces: MultiDiscrete for Discrete actions, a leading n for Box', () => {
    const discrete = new SyncVectorEnv([0, 1].map(() => () => new CartPoleEnv()));
    assert.equal(String(discrete.actionSpace), 'MultiDiscrete([2 2])');
    assert.deepEqual(discrete.observationSpace.shape, [2, 4]);
    const box = new SyncVectorEnv([0, 1, 2].map(() => () => new CountingEnv(3)));
    assert.deepEqual(box.actionSpace.shape, [3, 1]);
    assert.equal(String(box.singleActionSpace), 'Box(-1.0, 1.0, (1,), float32)');
  });

  it('autoresets on the NEXT step: reward 0, flags false, action ignored, reset observation', () => {
    const vec = new SyncVectorEnv([() => new CountingEnv(2), () => new CountingEnv(3)]);
    vec.reset({ seed: 0 });
    let r = vec.step(Float32Array.of(0.5, 0.25));
    assert.deepEqual(Array.from(r.rewards), [1, 1]);
    r = vec.step([[0.5], [0.25]]);
    assert.deepEqual(Array.from(r.terminated), [1, 0]);
    assert.deepEqual(Array.from(r.rewards), [2, 2]);
    assert.deepEqual(Array.from(r.observations.subarray(0, 3)), [0, 2, 0.5]);
    r = vec.step(Float32Array.of(-1, -1));
    // env 0 was reset (its action ignored), env 1 stepped and ended
    assert.deepEqual(Array.from(r.observations), [0, 0, 0, 1, 3, -1]);
    assert.deepEqual(Array.from(r.rewards), [0, 3]);
    assert.deepEqual(Array.from(r.terminated), [0, 1]);
    assert.deepEqual(Array.from(r.truncated), [0, 0]);
    r = vec.step(Float32Array.of(0, 0));
    assert.deepEqual(Array.from(r.observations), [0, 1, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(r.rewards), [1, 0]);
  });

  it('reports infos as per-key arrays with _key masks, recursing into objects', () => {
    const vec = new SyncVectorEnv([() => new CountingEnv(1), () => new CountingEnv(3)]);
    vec.reset({ seed: 0 });
    const { infos } = vec.step(Float32Array.of(0, 0));
    assert.ok(infos.t instanceof Float64Array);
    assert.deepEqual(Array.from(infos.t as Float64Array), [1, 1]);
    assert.deepEqual(Array.from(infos._t as Uint8Array), [1, 1]);
    const final = infos.final as Record<string, unknown>;
    assert.deepEqual(Array.from(infos._final as Uint8Array), [1, 0]);
    assert.deepEqual(Array.from(final.length as Float64Array), [1, 0]);
    assert.deepEqual(Array.from(final._length as Uint8Array), [1, 0]);
  });

  it('copies the batches by default and returns its own buffers with copy: false', () => {
    const copying = new SyncVectorEnv([() => new CountingEnv(9)]);
    copying.reset({ seed: 0 });
    const a = copying.step([0]).observations;
    copying.step([0]);
    assert.equal(a[1], 1, 'an earlier batch is not overwritten');
    const sharing = new SyncVectorEnv([() => new CountingEnv(9)], { copy: false });
    sharing.reset({ seed: 0 });
    const b = sharing.step([0]).observations;
    const c = sharing.step([0]).observations;
    assert.equal(b, c);
    assert.equal(b[1], 2);
  });

  it('steps made envs through their time limit and keeps going', () => {
    const vec = new SyncVectorEnv([0, 1].map(() => () => new TimeLimit(new OrderEnforcing(new CartPoleEnv()), 4)));
    vec.reset({ seed: 3 });
    let truncations = 0;
    for (let t = 0; t < 20; t++) truncations += vec.step([t % 2, (t + 1) % 2]).truncated.reduce((s, v) => s + v, 0);
    assert.equal(truncations, 8);
  });

  it('reproduces the same batches from the same seed and from a restored snapshot', () => {
    const make = () => new SyncVectorEnv([0, 1, 2].map(() => () => new TimeLimit(new OrderEnforcing(new CartPoleEnv()), 30)));
    const a = make();
    const b = make();
    a.reset({ seed: 7 });
    b.reset({ seed: 7 });
    const actions = Int32Array.of(1, 0, 1);
    for (let t = 0; t < 50; t++) assert.deepEqual(a.step(actions), b.step(actions));
    const snapshot = JSON.parse(JSON.stringify(a.envState()));
    const c = make();
    c.restoreEnvState(snapshot);
    for (let t = 0; t < 50; t++) assert.deepEqual(c.step(actions), a.step(actions));
  });

  it('refuses mismatched spaces and wrong action counts', () => {
    assert.throws(() => new SyncVectorEnv([() => new CountingEnv(2), () => new CartPoleEnv() as never]), /spaces/);
    const vec = new SyncVectorEnv([() => new CartPoleEnv(), () => new CartPoleEnv()]);
    vec.reset({ seed: 0 });
    assert.throws(() => vec.step([0]), /1 action values for 2 envs/);
    assert.ok(new Discrete(2).contains(vec.actionSpace.sample()[0]));
  });
});
