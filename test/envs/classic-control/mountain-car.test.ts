import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MountainCarEnv } from '../../../envs/classic-control/mountain-car.ts';

describe('MountainCarEnv', () => {
  it('updates velocity, then position with the new velocity', () => {
    const env = new MountainCarEnv();
    env.state = [-0.5, 0.01];
    const r = env.step(2);
    const v = 0.01 + (0.001 + Math.cos(-1.5) * -0.0025);
    assert.deepEqual(env.state, [-0.5 + v, v]);
    assert.deepEqual(Array.from(r.observation), [Math.fround(-0.5 + v), Math.fround(v)]);
    assert.deepEqual([r.reward, r.terminated, r.truncated], [-1, false, false]);
  });

  it('stops the car dead at the left wall', () => {
    const env = new MountainCarEnv();
    env.state = [-1.19, -0.05];
    env.step(0);
    assert.deepEqual(env.state, [-1.2, 0]);
  });

  it('clips the velocity to 0.07 and the position to 0.6', () => {
    const env = new MountainCarEnv();
    env.state = [-0.9, 0.069];
    env.step(2);
    assert.equal(env.state[1], 0.07);
    env.state = [0.59, 0.07];
    const r = env.step(2);
    assert.equal(env.state[0], 0.6);
    assert.equal(r.terminated, true);
  });

  it('terminates at position >= 0.5 with velocity >= the goal velocity', () => {
    const env = new MountainCarEnv();
    env.state = [0.49, 0.03];
    assert.equal(env.step(2).terminated, true);
    env.state = [0.4, 0.03];
    assert.equal(env.step(2).terminated, false);
    const picky = new MountainCarEnv({ goalVelocity: 0.05 });
    picky.state = [0.49, 0.03];
    assert.equal(picky.step(2).terminated, false);
    assert.throws(() => new MountainCarEnv({ goalVelocity: 'fast' }), /goalVelocity.*finite number/);
  });

  it('uses the settable push force and gravity', () => {
    const env = new MountainCarEnv();
    env.setPhysics('force', 0.002);
    env.setPhysics('gravity', 0.005);
    env.state = [-0.3, 0];
    env.step(2);
    assert.equal(env.state[1], 0 + (0.002 + Math.cos(3 * -0.3) * -0.005));
  });

  it('resets the position in [-0.6, -0.4) with zero velocity, or in options low/high', () => {
    const env = new MountainCarEnv();
    for (let seed = 0; seed < 30; seed++) {
      const obs = env.reset({ seed }).observation;
      assert.ok(obs[0]! >= Math.fround(-0.6) && obs[0]! <= Math.fround(-0.4));
      assert.equal(obs[1], 0);
    }
    const obs = env.reset({ options: { low: 0.1, high: 0.2 } }).observation;
    assert.ok(obs[0]! >= Math.fround(0.1) && obs[0]! <= Math.fround(0.2));
  });
});
