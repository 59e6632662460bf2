import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { captureEnvState, checkEnv, loadMujoco, make, registrationOf, restoreEnvState, Walker2dEnv } from '../../../envs/index.ts';
import { Rng } from '../../../src/util/rng.ts';

const mj = await loadMujoco();

// qpos: rootx, rootz, rooty (torso angle), thigh, leg, foot, thigh_left, leg_left, foot_left; then the nine velocities.
const INIT_QPOS = [0, 1.25, 0, 0, 0, 0, 0, 0, 0];
const pose = (patch: Record<number, number> = {}): number[] => {
  const state = [...INIT_QPOS, ...new Array(9).fill(0)];
  for (const [i, v] of Object.entries(patch)) state[Number(i)] = v;
  return state;
};
const still = () => new Float32Array(6);

describe('Walker2d-v5', () => {
  let env: Walker2dEnv;
  before(() => {
    env = new Walker2dEnv();
    env.reset({ seed: 0 });
  });

  it("registers with Gymnasium's limit and no reward threshold, 17 observations, 6 actions in [-1, 1] and dt 0.008", () => {
    const registration = registrationOf('Walker2d-v5')!;
    assert.equal(registration.maxEpisodeSteps, 1000);
    assert.equal(registration.rewardThreshold, undefined);
    const made = make('Walker2d-v5');
    assert.deepEqual(made.observationSpace.shape, [17]);
    const box = made.actionSpace as unknown as { low: Float32Array; high: Float32Array; shape: number[] };
    assert.deepEqual(box.shape, [6]);
    assert.deepEqual([...box.low, ...box.high], [...new Array(6).fill(-1), ...new Array(6).fill(1)]);
    assert.ok(Math.abs((made.unwrapped as Walker2dEnv).dt - 0.008) < 1e-15);
    made.close();
    assert.equal(new Walker2dEnv({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape[0], 18);
  });

  it("loads Gymnasium's walker2d_v5.xml: both feet with friction 1.9, gear 100 motors", () => {
    const model = mj.MjModel.from_xml_string(readFileSync(new URL('../../../envs/mujoco/assets/walker2d_v5.xml', import.meta.url), 'utf8'));
    const friction = (geom: string) => (model.geom_friction as Float64Array)[3 * mj.mj_name2id(model, mj.mjtObj.mjOBJ_GEOM.value, geom)];
    assert.equal(friction('foot_geom'), 1.9);
    assert.equal(friction('foot_left_geom'), 1.9);
    assert.deepEqual(Array.from(model.actuator_gear as Float64Array).filter((_, i) => i % 6 === 0), new Array(6).fill(100));
    model.delete();
  });

  it('observes qpos without x, then qvel clipped to [-10, 10]', () => {
    env.state = pose({ 1: 1.9, 9: -25, 10: 12 });
    const { observation } = env.step(still());
    const after = env.state;
    const clip = (v: number) => (v < -10 ? -10 : v > 10 ? 10 : v);
    assert.deepEqual(Array.from(observation), [...after.slice(1, 9), ...after.slice(9).map(clip)].map(Math.fround));
    assert.deepEqual([observation[8], observation[9]], [-10, 10]);
  });

  it('rewards the rootx velocity plus 1 while healthy minus 1e-3 Σa²', () => {
    env.state = pose({ 9: 1 });
    const x0 = env.state[0]!;
    const action = Float32Array.of(1, -0.5, 0.25, 0, -1, 0.5);
    const result = env.step(action);
    const after = env.state;
    const info = result.info as Record<string, number>;
    assert.deepEqual(Object.keys(info), ['x_position', 'z_distance_from_origin', 'x_velocity', 'reward_forward', 'reward_ctrl', 'reward_survive']);
    assert.equal(info.x_velocity, (after[0]! - x0) / env.dt);
    assert.equal(info.reward_forward, info.x_velocity);
    assert.equal(info.reward_survive, 1);
    assert.equal(info.reward_ctrl, -1e-3 * (1 + 0.25 + 0.0625 + 0 + 1 + 0.25));
    assert.equal(result.reward, info.reward_forward! + info.reward_survive! + info.reward_ctrl!);
    assert.equal(info.z_distance_from_origin, after[1]! - 1.25);
    assert.equal(result.terminated, false);
  });

  it('is healthy only with z in (0.8, 2) and the torso angle in (-1, 1), bounds excluded, and bounds nothing else', () => {
    const healthy = (patch: Record<number, number>) => {
      env.state = pose(patch);
      return env.isHealthy;
    };
    assert.equal(healthy({}), true);
    assert.equal(healthy({ 1: 0.8 }), false);
    assert.equal(healthy({ 1: 0.8000001 }), true);
    assert.equal(healthy({ 1: 2 }), false);
    assert.equal(healthy({ 1: 1.9999999 }), true);
    assert.equal(healthy({ 2: 1 }), false);
    assert.equal(healthy({ 2: -1 }), false);
    assert.equal(healthy({ 2: 0.999 }), true);
    assert.equal(healthy({ 3: -500, 9: 1e4, 17: -1e4 }), true, 'no state range, unlike Hopper');
  });

  it('terminates when unhealthy with no healthy reward, or never with terminateWhenUnhealthy false', () => {
    env.state = pose({ 1: 2.5 });
    const high = env.step(still());
    assert.equal(high.terminated, true);
    assert.equal((high.info as Record<string, number>).reward_survive, 0);
    env.state = pose({ 2: -1.2 });
    assert.equal(env.step(still()).terminated, true);
    const lenient = new Walker2dEnv({ terminateWhenUnhealthy: false, healthyZRange: [0.8, 3] });
    lenient.reset({ seed: 0 });
    lenient.state = pose({ 1: 2.5 });
    assert.equal(lenient.isHealthy, true, 'a wider z range');
    lenient.state = pose({ 2: 1.5 });
    const r = lenient.step(still());
    assert.equal(r.terminated, false);
    assert.equal((r.info as Record<string, number>).reward_survive, 0);
    lenient.close();
  });

  it('resets to the initial pose plus U(±5e-3) on every qpos, then U(±5e-3) on every qvel, the same for the same seed', () => {
    const a = new Walker2dEnv();
    const b = new Walker2dEnv();
    const first = a.reset({ seed: 11 });
    assert.deepEqual(b.reset({ seed: 11 }).observation, first.observation);
    const rng = new Rng(11);
    const qpos = INIT_QPOS.map((q) => q + rng.uniform(-5e-3, 5e-3));
    const qvel = INIT_QPOS.map(() => rng.uniform(-5e-3, 5e-3));
    assert.deepEqual(a.state, [...qpos, ...qvel]);
    assert.deepEqual(first.info, { x_position: qpos[0], z_distance_from_origin: qpos[1]! - 1.25 });
    a.close();
    b.close();
  });

  it('continues bit for bit from a captured state; friction, gravity and mass change the dynamics', () => {
    const kwargs = { terminateWhenUnhealthy: false };
    const actionAt = (i: number) => Float32Array.from({ length: 6 }, (_, j) => Math.cos(0.3 * i + j));
    const rollout = (physics: Record<string, number>, from?: unknown[]) => {
      const e = make('Walker2d-v5', { kwargs });
      e.reset({ seed: from ? 42 : 5 });
      if (from) restoreEnvState(e, from);
      for (const [name, value] of Object.entries(physics)) (e.unwrapped as Walker2dEnv).setPhysics(name, value);
      const start = from ? 50 : 0;
      let snapshot: unknown[] = [];
      const observations: number[][] = [];
      for (let i = start; i < 100; i++) {
        if (i === 50) snapshot = captureEnvState(e);
        const r = e.step(actionAt(i));
        if (i >= 50) observations.push(Array.from(r.observation));
      }
      e.close();
      return { snapshot, observations };
    };
    const reference = rollout({});
    assert.deepEqual(rollout({}, reference.snapshot).observations, reference.observations);
    assert.deepEqual(rollout({ friction: 0.7 }).observations, reference.observations, 'the floor friction is 0.7; the feet keep 1.9');
    const changes: Array<Record<string, number>> = [{ friction: 0.1 }, { gravity: -20 }, { massScale: 0.5 }];
    for (const physics of changes) {
      assert.notDeepEqual(rollout(physics).observations, reference.observations, JSON.stringify(physics));
    }
  });

  it('exposes the floor friction 0.7, gravity and a mass scale as physics', () => {
    assert.deepEqual(env.physics, { friction: 0.7, gravity: -9.81, massScale: 1 });
  });

  it('passes checkEnv', () => {
    checkEnv(make('Walker2d-v5'), { seed: 8, steps: 300 });
  });

  it('rejects kwargs Walker2d-v5 does not have, and bad ranges', () => {
    assert.throws(() => new Walker2dEnv({ healthyStateRange: [-100, 100] }), /unknown kwarg "healthyStateRange"/);
    assert.throws(() => new Walker2dEnv({ healthyZRange: [2, 0.8] }), /healthyZRange/);
    assert.throws(() => new Walker2dEnv({ frameSkip: 1.5 }), /frameSkip/);
  });
});
