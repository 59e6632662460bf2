import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

const THRESHOLD = (12 * 2 * Math.PI) / 360;

/** One Euler step of the CartPole equations, written out independently of the env. */
function handStep(state: number[], action: number, g = 9.8, mc = 1.0, mp = 0.1, l = 0.5, f = 10, tau = 0.02): number[] {
  const [x, xDot, th, thDot] = state as [number, number, number, number];
  const force = action === 1 ? f : -f;
  const total = mc + mp;
  const temp = (force + mp * l * thDot * thDot * Math.sin(th)) / total;
  const thAcc = (g * Math.sin(th) - Math.cos(th) * temp) / (l * (4 / 3 - (mp * Math.cos(th) ** 2) / total));
  const xAcc = temp - (mp * l * thAcc * Math.cos(th)) / total;
  return [x + tau * xDot, xDot + tau * xAcc, th + tau * thDot, thDot + tau * thAcc];
}

describe('CartPoleEnv', () => {
  it('pushes right from the zero state by the textbook accelerations', () => {
    const env = new CartPoleEnv();
    env.state = [0, 0, 0, 0];
    const r = env.step(1);
    // temp = 10/1.1; theta_acc = -temp / (0.5 (4/3 - 0.1/1.1)) = -14.634146...; x_acc = 9.756097...
    assert.ok(Math.abs(env.state[1]! - 0.02 * 9.7560975609756) < 1e-12);
    assert.ok(Math.abs(env.state[3]! - 0.02 * -14.634146341463) < 1e-12);
    assert.deepEqual(Array.from(r.observation), handStep([0, 0, 0, 0], 1).map(Math.fround));
    assert.equal(r.reward, 1);
    assert.equal(r.terminated, false);
  });

  it('follows the formulas from a tilted, moving state', () => {
    const env = new CartPoleEnv();
    const start = [0.1, -0.3, 0.05, 0.4];
    env.state = start;
    env.step(0);
    const expected = handStep(start, 0);
    env.state.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-15, `state[${i}]`));
  });

  it('terminates only strictly beyond 12 degrees and 2.4 units', () => {
    const env = new CartPoleEnv();
    for (const sign of [1, -1]) {
      env.state = [0, 0, sign * THRESHOLD, 0]; // theta stays exactly at the threshold
      assert.equal(env.step(0).terminated, false);
      env.state = [0, 0, sign * THRESHOLD, sign * 1e-6];
      assert.equal(env.step(0).terminated, true);
      env.state = [sign * 2.4, 0, 0, 0];
      assert.equal(env.step(0).terminated, false);
      env.state = [sign * 2.4, sign * 1e-6, 0, 0];
      assert.equal(env.step(0).terminated, true);
    }
  });

  it('gives reward 1 on the terminating step and 0 on steps after it, until reset', () => {
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    env.state = [0, 0, THRESHOLD, 1];
    assert.deepEqual([env.step(1).reward, env.step(1).reward, env.step(1).reward], [1, 0, 0]);
    env.reset();
    env.state = [0, 0, THRESHOLD, 1];
    assert.equal(env.step(1).reward, 1, 'reset clears steps_beyond_terminated');
  });

  it('with suttonBartoReward gives 0 per step and -1 on and after termination', () => {
    const env = new CartPoleEnv({ suttonBartoReward: true });
    env.state = [0, 0, 0, 0];
    assert.equal(env.step(0).reward, 0);
    env.state = [0, 0, THRESHOLD, 1];
    assert.deepEqual([env.step(1).reward, env.step(1).reward], [-1, -1]);
  });

  it('updates velocities first with the semi-implicit integrator', () => {
    const env = new CartPoleEnv({ kinematicsIntegrator: 'semi-implicit euler' });
    env.state = [0, 0, 0, 0];
    env.step(1);
    const [x, xDot, th, thDot] = env.state as [number, number, number, number];
    assert.equal(x, 0.02 * xDot);
    assert.equal(th, 0.02 * thDot);
    assert.throws(() => new CartPoleEnv({ kinematicsIntegrator: 'rk4' as never }), /euler/);
  });

  it('draws each state variable in [-0.05, 0.05) on reset, or in options low/high', () => {
    const env = new CartPoleEnv();
    for (let seed = 0; seed < 50; seed++) {
      for (const v of env.reset({ seed }).observation) assert.ok(v >= Math.fround(-0.05) && v <= Math.fround(0.05));
    }
    const wide = env.reset({ seed: 3, options: { low: 1, high: '2' } }).observation;
    for (const v of wide) assert.ok(v >= 1 && v < 2);
    assert.throws(
      () => env.reset({ options: { low: 0.5, high: 0.1 } }),
      (e: unknown) => e instanceof PlasticdError && e.code === 'invalid_reset_option' && /Lower bound \(0.5\)/.test(e.message),
    );
    assert.throws(() => env.reset({ options: { low: 'abc' } }), /could not be converted to a float/);
  });

  it('doubling gravity changes theta_acc by g sin(theta) / (l (4/3 - m_p cos^2 / M))', () => {
    const start = [0, 0, 0.1, 0];
    const normal = new CartPoleEnv();
    normal.state = start;
    normal.step(0);
    const heavy = new CartPoleEnv();
    heavy.setPhysics('gravity', 19.6);
    heavy.state = start;
    heavy.step(0);
    const denominator = 0.5 * (4 / 3 - (0.1 * Math.cos(0.1) ** 2) / 1.1);
    const expected = (0.02 * 9.8 * Math.sin(0.1)) / denominator;
    assert.ok(Math.abs(heavy.state[3]! - normal.state[3]! - expected) < 1e-12);
  });

  it('keeps total mass and pole mass x length consistent when masses or length change', () => {
    const env = new CartPoleEnv();
    env.setPhysics('massPole', 0.5);
    env.setPhysics('length', 1.0);
    env.setPhysics('massCart', 2.0);
    env.state = [0, 0, 0.2, -0.3];
    env.step(1);
    const expected = handStep([0, 0, 0.2, -0.3], 1, 9.8, 2.0, 0.5, 1.0);
    env.state.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-14, `state[${i}]`));
    assert.deepEqual(env.physics, { gravity: 9.8, massCart: 2.0, massPole: 0.5, length: 1.0, forceMag: 10, tau: 0.02 });
    assert.throws(() => env.setPhysics('massCart', -1), /> 0/);
  });
});
