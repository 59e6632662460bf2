import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { captureEnvState, checkEnv, HopperEnv, loadMujoco, make, registrationOf, restoreEnvState } from '../../../envs/index.ts';
import { Rng } from '../../../src/util/rng.ts';

const mj = await loadMujoco();

// qpos: rootx, rootz, rooty (torso angle), thigh, leg, foot; then the six velocities.
const INIT_QPOS = [0, 1.25, 0, 0, 0, 0];
const standing = (patch: Record<number, number> = {}): number[] => {
  const state = [...INIT_QPOS, 0, 0, 0, 0, 0, 0];
  for (const [i, v] of Object.entries(patch)) state[Number(i)] = v;
  return state;
};
const zeros = () => new Float32Array(3);
const clip = (v: number) => Math.min(10, Math.max(-10, v));

describe('Hopper-v5', () => {
  let env: HopperEnv;
  before(() => {
    env = new HopperEnv();
    env.reset({ seed: 0 });
  });

  it("registers with Gymnasium's limit and threshold, 11 observations, 3 actions in [-1, 1] and dt 0.008", () => {
    assert.equal(registrationOf('Hopper-v5')!.maxEpisodeSteps, 1000);
    assert.equal(registrationOf('Hopper-v5')!.rewardThreshold, 3800);
    const made = make('Hopper-v5');
    assert.deepEqual(made.observationSpace.shape, [11]);
    const box = made.actionSpace as unknown as { low: Float32Array; high: Float32Array; shape: number[] };
    assert.deepEqual(box.shape, [3]);
    assert.deepEqual([...box.low, ...box.high], [-1, -1, -1, 1, 1, 1]);
    assert.ok(Math.abs((made.unwrapped as HopperEnv).dt - 0.008) < 1e-15);
    made.close();
    assert.equal(new HopperEnv({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape[0], 12);
  });

  it("loads Gymnasium's hopper.xml: gear 200 motors, a foot with friction 2", () => {
    const model = mj.MjModel.from_xml_string(readFileSync(new URL('../../../envs/mujoco/assets/hopper.xml', import.meta.url), 'utf8'));
    const foot = mj.mj_name2id(model, mj.mjtObj.mjOBJ_GEOM.value, 'foot_geom');
    assert.equal((model.geom_friction as Float64Array)[3 * foot], 2);
    assert.deepEqual(Array.from(model.actuator_gear as Float64Array).filter((_, i) => i % 6 === 0), [200, 200, 200]);
    assert.equal(model.opt.timestep, 0.002);
    model.delete();
  });

  it('observes qpos without x, then qvel clipped to [-10, 10]', () => {
    env.state = standing({ 1: 2, 6: 20, 7: -15, 8: 3 });
    const { observation } = env.step(zeros());
    const after = env.state;
    assert.deepEqual(Array.from(observation), [...after.slice(1, 6), ...after.slice(6).map(clip)].map(Math.fround));
    assert.equal(observation[5], 10, 'the x velocity (about 20) is clipped');
    assert.equal(observation[6], -10, 'the z velocity (about -15) is clipped');
    assert.ok(after[6]! > 19 && after[7]! < -15);
    const withX = new HopperEnv({ excludeCurrentPositionsFromObservation: false });
    withX.reset({ seed: 0 });
    withX.state = standing({ 0: 3 });
    assert.equal(withX.step(zeros()).observation[0], Math.fround(withX.state[0]!));
    withX.close();
  });

  it('rewards the rootx velocity plus 1 while healthy minus 1e-3 Σa², with Gymnasium\'s info keys', () => {
    env.state = standing({ 6: 0.5 });
    const before = env.state;
    const action = Float32Array.of(0.5, -0.25, 1);
    const result = env.step(action);
    const after = env.state;
    const info = result.info as Record<string, number>;
    assert.deepEqual(Object.keys(info), ['x_position', 'z_distance_from_origin', 'x_velocity', 'reward_forward', 'reward_ctrl', 'reward_survive']);
    // qpos[0] is the rootx slider itself, so the velocity is exactly its change over dt.
    assert.equal(info.x_velocity, (after[0]! - before[0]!) / env.dt);
    assert.ok(info.x_velocity! > 0.4);
    assert.equal(info.reward_forward, info.x_velocity);
    assert.equal(info.reward_survive, 1);
    assert.equal(info.reward_ctrl, -1e-3 * (0.25 + 0.0625 + 1));
    assert.equal(result.reward, info.reward_forward! + info.reward_survive! + info.reward_ctrl!);
    assert.equal(info.x_position, after[0]);
    assert.equal(info.z_distance_from_origin, after[1]! - 1.25);
    assert.equal(result.terminated, false);
  });

  it('is healthy only with z in (0.7, inf), the torso angle in (-0.2, 0.2) and state_vector()[2:] in (-100, 100), bounds excluded', () => {
    const healthy = (patch: Record<number, number>) => {
      env.state = standing(patch);
      return env.isHealthy;
    };
    assert.equal(healthy({}), true);
    assert.equal(healthy({ 1: 0.7 }), false);
    assert.equal(healthy({ 1: 0.7000001 }), true);
    assert.equal(healthy({ 1: 1e6 }), true, 'no upper bound on z, and z is not in the state range');
    assert.equal(healthy({ 2: 0.2 }), false);
    assert.equal(healthy({ 2: -0.2 }), false);
    assert.equal(healthy({ 2: 0.1999 }), true);
    assert.equal(healthy({ 0: 1e4 }), true, 'the x position is not in the state range');
    assert.equal(healthy({ 3: -100 }), false);
    assert.equal(healthy({ 3: -99.99 }), true);
    assert.equal(healthy({ 6: 100 }), false, 'the x velocity is in the state range');
    assert.equal(healthy({ 11: -100 }), false);
    assert.equal(healthy({ 11: -99.99 }), true);
  });

  it('terminates when unhealthy with no healthy reward, or never with terminateWhenUnhealthy false', () => {
    env.state = standing({ 2: 0.5 });
    const tilted = env.step(zeros());
    assert.equal(tilted.terminated, true);
    assert.equal((tilted.info as Record<string, number>).reward_survive, 0);
    assert.equal(tilted.reward, (tilted.info as Record<string, number>).reward_forward);
    env.state = standing({ 1: 0.65 });
    assert.equal(env.step(zeros()).terminated, true, 'fallen below z 0.7');
    env.state = standing({ 8: 150 });
    assert.equal(env.step(zeros()).terminated, true, 'spinning faster than 100 rad/s');
    const lenient = new HopperEnv({ terminateWhenUnhealthy: false });
    lenient.reset({ seed: 0 });
    lenient.state = standing({ 2: 0.5 });
    const r = lenient.step(zeros());
    assert.equal(r.terminated, false);
    assert.equal((r.info as Record<string, number>).reward_survive, 0);
    lenient.close();
  });

  it('resets to the initial pose plus U(±5e-3) on every qpos, then U(±5e-3) on every qvel, the same for the same seed', () => {
    const a = new HopperEnv();
    const b = new HopperEnv();
    const first = a.reset({ seed: 7 });
    assert.deepEqual(b.reset({ seed: 7 }).observation, first.observation);
    const rng = new Rng(7);
    const qpos = INIT_QPOS.map((q) => q + rng.uniform(-5e-3, 5e-3));
    const qvel = INIT_QPOS.map(() => rng.uniform(-5e-3, 5e-3));
    assert.deepEqual(a.state, [...qpos, ...qvel]);
    assert.deepEqual(first.info, { x_position: qpos[0], z_distance_from_origin: qpos[1]! - 1.25 });
    assert.notDeepEqual(a.reset({ seed: 8 }).observation, first.observation);
    const still = new HopperEnv({ resetNoiseScale: 0 });
    still.reset({ seed: 1 });
    assert.deepEqual(still.state, standing());
    for (const e of [a, b, still]) e.close();
  });

  it('honours its reward and timing kwargs', () => {
    const e = new HopperEnv({ forwardRewardWeight: 2, ctrlCostWeight: 0.5, healthyReward: 5, frameSkip: 2, healthyStateRange: [-1, 1] });
    e.reset({ seed: 0 });
    assert.ok(Math.abs(e.dt - 0.004) < 1e-15);
    e.state = standing({ 6: 0.5 });
    const info = e.step(Float32Array.of(1, 0, 0)).info as Record<string, number>;
    assert.equal(info.reward_forward, 2 * info.x_velocity!);
    assert.equal(info.reward_ctrl, -0.5);
    assert.equal(info.reward_survive, 5);
    e.state = standing({ 6: 1 });
    assert.equal(e.isHealthy, false, 'a narrower state range');
    e.close();
  });

  it('continues bit for bit from a captured state; friction (the floor\'s, others in proportion), gravity and mass change the dynamics', () => {
    const kwargs = { terminateWhenUnhealthy: false };
    const actionAt = (i: number) => Float32Array.from({ length: 3 }, (_, j) => Math.sin(i + j));
    const run = (physics: Record<string, number> = {}) => {
      const e = make('Hopper-v5', { kwargs });
      e.reset({ seed: 3 });
      for (const [name, value] of Object.entries(physics)) (e.unwrapped as HopperEnv).setPhysics(name, value);
      const observations: number[][] = [];
      let snapshot: unknown[] | undefined;
      for (let i = 0; i < 120; i++) {
        if (i === 60) snapshot = captureEnvState(e);
        const r = e.step(actionAt(i));
        if (i >= 60) observations.push(Array.from(r.observation));
      }
      e.close();
      return { observations, snapshot: snapshot! };
    };
    const reference = run();
    const e = make('Hopper-v5', { kwargs });
    e.reset({ seed: 99 });
    restoreEnvState(e, reference.snapshot);
    const replay = reference.observations.map((_, k) => Array.from(e.step(actionAt(60 + k)).observation));
    e.close();
    assert.deepEqual(replay, reference.observations);
    // friction is the floor's (1); the legs (0.9) and the foot (2) keep their ratios to it, so setting it
    // to its own value, as a restore does, changes nothing.
    assert.deepEqual(run({ friction: 1 }).observations, reference.observations);
    assert.notDeepEqual(run({ friction: 0.05 }).observations, reference.observations);
    assert.notDeepEqual(run({ gravity: -3 }).observations, reference.observations);
    assert.notDeepEqual(run({ massScale: 2 }).observations, reference.observations);
  });

  it('exposes friction, gravity and a mass scale as physics; without gravity a lifted hopper stays put', () => {
    const e = new HopperEnv();
    assert.deepEqual(e.physics, { friction: 1, gravity: -9.81, massScale: 1 });
    e.setPhysics('gravity', 0);
    e.reset({ seed: 1 });
    e.state = standing({ 1: 2, 3: -0.5, 4: -0.5 });
    for (let i = 0; i < 10; i++) e.step(zeros());
    assert.ok(Math.abs(e.state[1]! - 2) < 1e-9);
    e.close();
  });

  it('passes checkEnv', () => {
    checkEnv(() => make('Hopper-v5'), { seed: 3, steps: 300 });
  });

  it('rejects malformed actions and kwargs', () => {
    assert.throws(() => env.step(new Float32Array(6)), /invalid action/);
    assert.throws(() => new HopperEnv({ healthyAngleRange: [0.2, -0.2] }), /healthyAngleRange/);
    assert.throws(() => new HopperEnv({ healthyStateRange: [0] }), /healthyStateRange/);
    assert.throws(() => new HopperEnv({ contactCostWeight: 1 }), /contactCostWeight/);
    assert.throws(() => new HopperEnv({ renderMode: 'human' }), /rendering/);
  });
});
