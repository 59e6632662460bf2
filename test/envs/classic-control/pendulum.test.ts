import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { libm } from '../../../src/util/libm.ts';
import { PendulumEnv, angleNormalize } from '../../../envs/classic-control/pendulum.ts';

describe('PendulumEnv', () => {
  it('takes one semi-implicit Euler step and charges the pre-update cost', () => {
    const env = new PendulumEnv();
    env.state = [1.0, 0.5];
    const r = env.step(Float64Array.of(1.0)); // a float64 ndarray: float64 arithmetic throughout
    const thdot = 0.5 + (((3 * 10) / 2) * libm.sin(1.0) + 3.0 * 1.0) * 0.05;
    assert.deepEqual(env.state, [1.0 + thdot * 0.05, thdot]);
    assert.equal(r.reward, -(1.0 + 0.1 * 0.25 + 0.001 * 1.0));
    assert.deepEqual(Array.from(r.observation), [libm.cos(1 + thdot * 0.05), libm.sin(1 + thdot * 0.05), thdot].map(Math.fround));
    assert.deepEqual([r.terminated, r.truncated], [false, false]);
  });

  it('clips the torque to +-2 and the angular velocity to +-8', () => {
    const a = new PendulumEnv();
    a.state = [0.5, 7.9];
    const ra = a.step([5]);
    const b = new PendulumEnv();
    b.state = [0.5, 7.9];
    const rb = b.step([2]);
    assert.deepEqual(a.state, b.state);
    assert.equal(ra.reward, rb.reward);
    assert.equal(a.state[1], 8);
    assert.equal(a.lastU, 2);
  });

  it('normalises the angle in the cost but never in the state', () => {
    const env = new PendulumEnv();
    env.state = [2 * Math.PI + 0.1, 0];
    const r = env.step([0]);
    assert.ok(Math.abs(r.reward - -(0.1 * 0.1)) < 1e-12);
    assert.ok(env.state[0]! > 2 * Math.PI);
  });

  it('normalises angles into [-pi, pi) with a floored remainder', () => {
    assert.equal(angleNormalize(0), 0);
    assert.ok(Math.abs(angleNormalize(1.5 * Math.PI) - -0.5 * Math.PI) < 1e-15);
    assert.ok(Math.abs(angleNormalize(-1.5 * Math.PI) - 0.5 * Math.PI) < 1e-15);
    assert.equal(angleNormalize(Math.PI), -Math.PI);
    assert.ok(Math.abs(angleNormalize(-7.0) - (-7.0 + 2 * Math.PI)) < 1e-15);
  });

  it('uses g from kwargs and setPhysics', () => {
    const env = new PendulumEnv({ g: 9.81 });
    assert.equal(env.physics.g, 9.81);
    env.setPhysics('g', 20);
    env.state = [0.3, 0];
    env.step([0]);
    assert.equal(env.state[1], 0 + (((3 * 20) / 2) * libm.sin(0.3) + 0) * 0.05);
  });

  it('draws theta in [-pi, pi) and thetaDot in [-1, 1), or within x_init / y_init', () => {
    const env = new PendulumEnv();
    for (let seed = 0; seed < 30; seed++) {
      env.reset({ seed });
      const [th, thdot] = env.state as [number, number];
      assert.ok(Math.abs(th) <= Math.PI && Math.abs(thdot) <= 1);
    }
    env.reset({ seed: 2, options: { x_init: 0.2, y_init: '0.01' } });
    assert.ok(Math.abs(env.state[0]!) <= 0.2 && Math.abs(env.state[1]!) <= 0.01);
    env.reset({ seed: 2, options: { xInit: 0.2 } });
    assert.ok(Math.abs(env.state[0]!) <= 0.2 && Math.abs(env.state[1]!) <= 1);
    assert.throws(() => env.reset({ options: { x_init: 'wide' } }), /could not be converted to a float/);
  });

  it('never terminates', () => {
    const env = new PendulumEnv();
    env.reset({ seed: 0 });
    for (let i = 0; i < 300; i++) assert.equal(env.step(Float32Array.of(2)).terminated, false);
  });
});
