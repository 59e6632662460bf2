import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../envs/classic-control/cart-pole.ts';
import { Wrapper, wrapperChain } from '../../envs/core.ts';
import type { Env } from '../../envs/core.ts';
import { make, makeVec, register, registeredIds, registrationOf } from '../../envs/registration.ts';
import { OrderEnforcing } from '../../envs/wrappers/order-enforcing.ts';
import { TimeLimit } from '../../envs/wrappers/time-limit.ts';
import { SyncVectorEnv } from '../../envs/vector/sync-vector-env.ts';
import { PlasticdError } from '../../src/util/errors.ts';

class Tagged extends Wrapper {
  constructor(
    env: Env,
    readonly tag: string,
    readonly kwargs: Record<string, unknown>,
  ) {
    super(env);
  }
}

register({ id: 'test/Pole-v1', entryPoint: (k) => new CartPoleEnv(k), maxEpisodeSteps: 500, rewardThreshold: 475, description: 'a test pole' });
register({ id: 'test/Pole-v2', entryPoint: (k) => new CartPoleEnv(k), kwargs: { suttonBartoReward: true } });
register({ id: 'test/Unordered-v0', entryPoint: (k) => new CartPoleEnv(k), orderEnforce: false, maxEpisodeSteps: 10 });
register({
  id: 'test/Layered-v0',
  entryPoint: (k) => new CartPoleEnv(k),
  maxEpisodeSteps: 20,
  additionalWrappers: [(env, k) => new Tagged(env, 'inner', k), (env, k) => new Tagged(env, 'outer', k)],
});

const isCode = (code: string, pattern?: RegExp) => (e: unknown) => e instanceof PlasticdError && e.code === code && (!pattern || pattern.test(e.message));

describe('register', () => {
  it('lists registered ids, sorted, and returns their registration', () => {
    const ids = registeredIds();
    assert.ok(ids.includes('test/Pole-v1') && ids.includes('test/Layered-v0'));
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(registrationOf('test/Pole-v1')?.rewardThreshold, 475);
    assert.equal(registrationOf('nope-v0'), undefined);
  });

  it('refuses a duplicate id', () => {
    assert.throws(() => register({ id: 'test/Pole-v1', entryPoint: () => new CartPoleEnv() }), isCode('duplicate_env_id', /test\/Pole-v1/));
  });

  it('refuses a malformed id or limit', () => {
    assert.throws(() => register({ id: 'has space-v0', entryPoint: () => new CartPoleEnv() }), isCode('invalid_env_id'));
    assert.throws(() => register({ id: 'test/BadLimit-v0', entryPoint: () => new CartPoleEnv(), maxEpisodeSteps: 0 }), isCode('invalid_registration'));
  });
});

describe('make', () => {
  it('wraps like Gymnasium: TimeLimit(OrderEnforcing(env))', () => {
    const env = make('test/Pole-v1');
    assert.equal(String(env), '<TimeLimit<OrderEnforcing<CartPoleEnv<test/Pole-v1>>>>');
    assert.ok(env instanceof TimeLimit);
    assert.equal((env as TimeLimit).maxEpisodeSteps, 500);
    assert.ok(env.unwrapped instanceof CartPoleEnv);
  });

  it('gives the made env a spec with the merged kwargs, limit and threshold', () => {
    const env = make('test/Pole-v2', { kwargs: { kinematicsIntegrator: 'semi-implicit euler' }, maxEpisodeSteps: 50 });
    assert.deepEqual(env.spec?.kwargs, { suttonBartoReward: true, kinematicsIntegrator: 'semi-implicit euler' });
    assert.equal(env.spec?.maxEpisodeSteps, 50);
    assert.equal(env.spec?.orderEnforce, true);
    assert.equal((env.unwrapped as CartPoleEnv).suttonBartoReward, true);
    assert.equal(env.unwrapped.spec?.maxEpisodeSteps, undefined, 'the base env spec is the minimal one');
    const spec = make('test/Pole-v1').spec!;
    assert.equal(spec.rewardThreshold, 475);
    assert.equal(spec.description, 'a test pole');
  });

  it('has no time limit when maxEpisodeSteps is -1 or the registration has none', () => {
    assert.ok(!wrapperChain(make('test/Pole-v1', { maxEpisodeSteps: -1 })).some((l) => l instanceof TimeLimit));
    assert.ok(!wrapperChain(make('test/Pole-v2')).some((l) => l instanceof TimeLimit));
    assert.throws(() => make('test/Pole-v1', { maxEpisodeSteps: 0 }), isCode('invalid_argument', /-1/));
  });

  it('skips OrderEnforcing when the registration says so', () => {
    const env = make('test/Unordered-v0');
    assert.equal(String(env), '<TimeLimit<CartPoleEnv<test/Unordered-v0>>>');
    assert.ok(!wrapperChain(env).some((l) => l instanceof OrderEnforcing));
  });

  it('applies additionalWrappers outside TimeLimit, innermost first, with the merged kwargs', () => {
    const env = make('test/Layered-v0', { kwargs: { suttonBartoReward: true } });
    const chain = wrapperChain(env);
    assert.deepEqual(
      chain.map((l) => (l instanceof Tagged ? l.tag : l.constructor.name)),
      ['outer', 'inner', 'TimeLimit', 'OrderEnforcing', 'CartPoleEnv'],
    );
    assert.deepEqual((chain[0] as Tagged).kwargs, { suttonBartoReward: true });
    assert.equal(env.spec?.maxEpisodeSteps, 20);
  });

  it('names the id, and suggests the closest one, for an unknown id', () => {
    assert.throws(() => make('test/pole-v1'), isCode('unknown_env_id', /Did you mean "test\/Pole-v1"\?.*Known ids: .*test\/Layered-v0/));
    assert.throws(() => make('test/Pole-v9'), isCode('unknown_env_id', /Registered versions of Pole: test\/Pole-v1, test\/Pole-v2/));
    assert.throws(() => make('Zzzzzzzzzzzzzzzzzz-v0'), (e: unknown) => e instanceof PlasticdError && !/Did you mean/.test(e.message));
  });

  it('surfaces bad kwargs with the id and the kwargs in the message', () => {
    assert.throws(() => make('test/Pole-v1', { kwargs: { poleLength: 2 } }), (e: unknown) => {
      assert.ok(e instanceof PlasticdError);
      assert.match(e.message, /could not make "test\/Pole-v1" with kwargs \{"poleLength":2\}/);
      assert.match(e.message, /poleLength/);
      return true;
    });
  });

  it('builds independent envs on each call', () => {
    const a = make('test/Pole-v1');
    const b = make('test/Pole-v1');
    assert.notEqual(a.unwrapped, b.unwrapped);
    assert.notEqual(a.spec, b.spec);
  });
});

describe('makeVec', () => {
  it('builds a SyncVectorEnv of numEnvs made envs', () => {
    const vec = makeVec('test/Pole-v1', 3, { maxEpisodeSteps: 7 });
    assert.ok(vec instanceof SyncVectorEnv);
    assert.equal(vec.numEnvs, 3);
    assert.equal(vec.envs[2]!.spec?.maxEpisodeSteps, 7);
    assert.equal(String(vec.actionSpace), 'MultiDiscrete([2 2 2])');
    assert.throws(() => makeVec('test/Pole-v1', 0), isCode('invalid_argument'));
    assert.throws(() => makeVec('missing-v0', 2), isCode('unknown_env_id'));
  });
});
