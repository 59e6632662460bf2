import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { OrderEnforcing } from '../../../envs/wrappers/order-enforcing.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

const code = (c: string, pattern?: RegExp) => (e: unknown) => e instanceof PlasticdError && e.code === c && (!pattern || pattern.test(e.message));

describe('OrderEnforcing', () => {
  it('throws reset_needed when step() comes before the first reset()', () => {
    const env = new OrderEnforcing(new CartPoleEnv());
    assert.throws(() => env.step(0), code('reset_needed', /before reset\(\)/));
    env.reset({ seed: 0 });
    assert.doesNotThrow(() => env.step(0));
  });

  it('throws step_after_end when step() follows a terminated step without a reset', () => {
    const env = new OrderEnforcing(new CartPoleEnv());
    env.reset({ seed: 0 });
    while (!env.step(1).terminated);
    assert.throws(() => env.step(1), code('step_after_end', /call reset\(\) first/));
    env.reset();
    assert.doesNotThrow(() => env.step(1));
  });

  it('rejects an action outside the action space, naming the action and the space', () => {
    const env = new OrderEnforcing(new CartPoleEnv());
    env.reset({ seed: 0 });
    assert.throws(() => env.step(2), code('invalid_action', /action 2 is not in the action space Discrete\(2\)/));
    assert.throws(() => env.step(0.5), code('invalid_action', /0\.5/));
    assert.throws(() => env.step('left' as never), code('invalid_action', /"left"/));
  });

  it('does not change the env when it rejects an action', () => {
    const a = new OrderEnforcing(new CartPoleEnv());
    const b = new OrderEnforcing(new CartPoleEnv());
    a.reset({ seed: 5 });
    b.reset({ seed: 5 });
    assert.throws(() => a.step(7));
    assert.deepEqual(Array.from(a.step(1).observation), Array.from(b.step(1).observation));
  });

  it('marks the spec as order-enforced', () => {
    const base = new CartPoleEnv();
    base.spec = { id: 'X-v0', kwargs: {}, orderEnforce: false };
    assert.equal(new OrderEnforcing(base).spec?.orderEnforce, true);
  });

  it('captures and restores its flags', () => {
    const env = new OrderEnforcing(new CartPoleEnv());
    const fresh = env.envState();
    env.reset({ seed: 0 });
    env.restoreEnvState(fresh);
    assert.throws(() => env.step(0), code('reset_needed'));
  });
});
