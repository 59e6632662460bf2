import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { libm } from '../../../src/util/libm.ts';
import { AcrobotEnv } from '../../../envs/classic-control/acrobot.ts';

/** Gymnasium's book dynamics written out independently (plain RK4 over a 4-vector). */
function handStep(s: number[], torque: number, g = 9.8, nips = false): number[] {
  const f = ([t1, t2, d1v, d2v]: number[]): number[] => {
    const d1 = 0.25 + (1 + 0.25 + Math.cos(t2!)) + 2;
    const d2 = 0.25 + 0.5 * Math.cos(t2!) + 1;
    const phi2 = 0.5 * g * Math.cos(t1! + t2! - Math.PI / 2);
    const phi1 = -0.5 * d2v! ** 2 * Math.sin(t2!) - d2v! * d1v! * Math.sin(t2!) + 1.5 * g * Math.cos(t1! - Math.PI / 2) + phi2;
    const extra = nips ? 0 : 0.5 * d1v! ** 2 * Math.sin(t2!);
    const dd2 = (torque + (d2 / d1) * phi1 - extra - phi2) / (1.25 - d2 ** 2 / d1);
    return [d1v!, d2v!, -(d2 * dd2 + phi1) / d1, dd2];
  };
  const add = (a: number[], b: number[], h: number) => a.map((v, i) => v + h * b[i]!);
  const k1 = f(s);
  const k2 = f(add(s, k1, 0.1));
  const k3 = f(add(s, k2, 0.1));
  const k4 = f(add(s, k3, 0.2));
  return s.map((v, i) => v + (0.2 / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
}

function close(actual: number[], expected: number[], tolerance = 1e-12): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `state[${i}]: ${v} vs ${expected[i]}`));
}

describe('AcrobotEnv', () => {
  it('integrates one RK4 step of the book equations with torque -1, 0, +1', () => {
    const start = [0.3, -0.4, 0.5, -0.6];
    for (const action of [0, 1, 2]) {
      const env = new AcrobotEnv();
      env.state = start;
      env.step(action);
      close(env.state, handStep(start, action - 1));
    }
  });

  it('drops the theta1-velocity term with the nips equations', () => {
    const start = [0.3, -0.4, 0.5, -0.6];
    const env = new AcrobotEnv({ bookOrNips: 'nips' });
    env.state = start;
    env.step(2);
    close(env.state, handStep(start, 1, 9.8, true));
    const book = handStep(start, 1);
    assert.ok(Math.abs(env.state[3]! - book[3]!) > 1e-3, 'nips differs from book when dtheta1 != 0');
  });

  it('uses the settable gravity in place of the hard-coded 9.8', () => {
    const env = new AcrobotEnv();
    env.setPhysics('gravity', 19.6);
    env.state = [0.3, -0.4, 0.5, -0.6];
    env.step(1);
    close(env.state, handStep([0.3, -0.4, 0.5, -0.6], 0, 19.6));
  });

  it('stays hanging at rest without torque', () => {
    const env = new AcrobotEnv();
    env.state = [0, 0, 0, 0];
    const r = env.step(1);
    for (const v of env.state) assert.ok(Math.abs(v) < 1e-14);
    assert.deepEqual([r.reward, r.terminated], [-1, false]);
    Array.from(r.observation.slice(0, 4)).forEach((v, i) => assert.ok(Math.abs(v - [1, 0, 1, 0][i]!) < 1e-7));
  });

  it('terminates with reward 0 when the tip is above the bar', () => {
    const env = new AcrobotEnv();
    env.state = [Math.PI - 0.1, 0, 0, 0]; // both links nearly straight up
    const r = env.step(1);
    const [t1, t2] = env.state as [number, number];
    assert.ok(-Math.cos(t1) - Math.cos(t1 + t2) > 1);
    assert.deepEqual([r.reward, r.terminated], [0, true]);
  });

  it('wraps angles into [-pi, pi] and bounds the velocities at 4 pi and 9 pi', () => {
    const env = new AcrobotEnv();
    env.state = [Math.PI - 0.01, -Math.PI + 0.01, 12.5, -28];
    env.step(0);
    const [t1, t2, d1, d2] = env.state as [number, number, number, number];
    assert.ok(t1 >= -Math.PI && t1 <= Math.PI && t1 < 0, 'theta1 went past pi and wrapped');
    assert.ok(t2 >= -Math.PI && t2 <= Math.PI && t2 > 0, 'theta2 went past -pi and wrapped');
    assert.ok(Math.abs(d1) <= 4 * Math.PI && Math.abs(d2) <= 9 * Math.PI);
    assert.ok(d1 === 4 * Math.PI || d2 === -9 * Math.PI, 'at least one velocity was clipped');
  });

  it('observes [cos t1, sin t1, cos t2, sin t2, dt1, dt2] in float32', () => {
    const env = new AcrobotEnv();
    env.state = [0.2, -0.3, 1.5, -2.5];
    const obs = env.step(1).observation;
    const s = env.state as [number, number, number, number];
    assert.deepEqual(Array.from(obs), [libm.cos(s[0]), libm.sin(s[0]), libm.cos(s[1]), libm.sin(s[1]), s[2], s[3]].map(Math.fround));
  });

  it('draws the reset state in [-0.1, 0.1) as float32 values, or in options low/high', () => {
    const env = new AcrobotEnv();
    for (let seed = 0; seed < 30; seed++) {
      env.reset({ seed });
      for (const v of env.state) assert.ok(v >= -0.1 && v <= 0.1 && Math.fround(v) === v);
    }
    env.reset({ seed: 1, options: { low: -0.5, high: -0.4 } });
    for (const v of env.state) assert.ok(v >= Math.fround(-0.5) && v <= Math.fround(-0.4));
  });
});
