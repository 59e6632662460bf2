import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContinuousMountainCarEnv } from '../../../envs/classic-control/continuous-mountain-car.ts';
import { libm } from '../../../src/util/libm.ts';

const f32 = Math.fround;

describe('ContinuousMountainCarEnv', () => {
  it('takes a float64 first step from a set state with a Float64Array action', () => {
    const env = new ContinuousMountainCarEnv();
    env.state = [-0.5, 0.01];
    const r = env.step(Float64Array.of(0.3));
    const v = 0.01 + (0.3 * 0.0015 - 0.0025 * libm.cos(3 * -0.5));
    assert.deepEqual(env.state, [f32(-0.5 + v), f32(v)], 'the state is stored as float32');
    assert.equal(r.reward, -libm.pow(0.3, 2) * 0.1);
  });

  it('takes a plain-array action as float32, the action space dtype, like a Float32Array', () => {
    const plain = new ContinuousMountainCarEnv();
    const typed = new ContinuousMountainCarEnv();
    plain.state = typed.state = [-0.5, 0.01];
    for (let i = 0; i < 5; i++) {
      const a = plain.step([0.3]);
      const b = typed.step(Float32Array.of(0.3));
      assert.deepEqual(plain.state, typed.state);
      assert.equal(a.reward, b.reward);
    }
    assert.equal(plain.step([0.3]).reward, -libm.pow(f32(0.3), 2) * 0.1, 'the reward squares the float32 action');
  });

  it('computes the push in float32 for a Float32Array action, as numpy does', () => {
    const env = new ContinuousMountainCarEnv();
    env.state = [-0.5, 0];
    env.step(Float32Array.of(0.3));
    const delta = f32(f32(f32(0.3) * f32(0.0015)) - f32(0.0025 * libm.cos(-1.5)));
    assert.equal(env.state[1], f32(0 + delta));
    // From the second step on the float32 state makes the whole update float32.
    const [p, v] = env.state as [number, number];
    env.step(Float32Array.of(0.3));
    const delta2 = f32(f32(f32(0.3) * f32(0.0015)) - f32(0.0025 * libm.cos(f32(3 * p))));
    const v2 = f32(v + delta2);
    assert.deepEqual(env.state, [f32(p + v2), v2]);
  });

  it('clips the force to [-1, 1] but penalises the unclipped action', () => {
    const big = new ContinuousMountainCarEnv();
    big.state = [-0.5, 0];
    const rBig = big.step([3]);
    const unit = new ContinuousMountainCarEnv();
    unit.state = [-0.5, 0];
    const rUnit = unit.step([1]);
    assert.deepEqual(big.state, unit.state);
    assert.equal(rBig.reward, -0.1 * 9);
    assert.equal(rUnit.reward, -0.1);
  });

  it('pays 100 minus the action penalty on reaching position 0.45 with velocity >= 0', () => {
    const env = new ContinuousMountainCarEnv();
    env.state = [0.44, 0.02];
    const r = env.step([0.5]);
    assert.equal(r.terminated, true);
    assert.equal(r.reward, 100 - 0.25 * 0.1);
    const picky = new ContinuousMountainCarEnv({ goalVelocity: 0.05 });
    picky.state = [0.44, 0.02];
    assert.equal(picky.step([0.5]).terminated, false);
  });

  it('stops at the left wall and clips velocity to 0.07', () => {
    const env = new ContinuousMountainCarEnv();
    env.state = [-1.19, -0.05];
    env.step([-1]);
    assert.deepEqual(env.state, [f32(-1.2), 0]);
    env.state = [-0.9, 0.069];
    env.step([1]);
    assert.equal(env.state[1], f32(0.07));
  });

  it('accepts out-of-range forces but rejects malformed actions', () => {
    const env = new ContinuousMountainCarEnv();
    env.reset({ seed: 0 });
    assert.doesNotThrow(() => env.step([-5]));
    assert.throws(() => env.step([] as never), /invalid action.*Box\(-1.0, 1.0, \(1,\), float32\)/);
    assert.throws(() => env.step([NaN]), /invalid action/);
  });

  it('resets the position in [-0.6, -0.4) with zero velocity as a float64 state', () => {
    const env = new ContinuousMountainCarEnv();
    const obs = env.reset({ seed: 5, options: { low: -0.7, high: -0.5 } }).observation;
    assert.ok(obs[0]! >= f32(-0.7) && obs[0]! <= f32(-0.5) && obs[1] === 0);
    assert.notEqual(f32(env.state[0]!), env.state[0], 'reset keeps the float64 draw');
  });
});
