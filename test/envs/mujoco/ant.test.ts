import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AntEnv, captureEnvState, loadMujoco, make, registrationOf, restoreEnvState } from '../../../envs/index.ts';

await loadMujoco();

const DT = 0.05;
const standing = (z = 0.55): number[] => [0, 0, z, 1, 0, 0, 0, 0, 1, 0, -1, 0, -1, 0, 1, ...new Array(14).fill(0)];
const zeros = () => new Float32Array(8);

describe('Ant-v5', () => {
  let env: AntEnv;
  before(() => {
    env = new AntEnv();
    env.reset({ seed: 0 });
  });

  it("registers with Gymnasium's limit and threshold, 105 observations and 8 actions in [-1, 1]", () => {
    assert.equal(registrationOf('Ant-v5')!.maxEpisodeSteps, 1000);
    assert.equal(registrationOf('Ant-v5')!.rewardThreshold, 6000);
    const made = make('Ant-v5');
    assert.deepEqual(made.observationSpace.shape, [105]);
    assert.deepEqual(made.actionSpace.shape, [8]);
    const box = made.actionSpace as unknown as { low: Float32Array; high: Float32Array };
    assert.deepEqual([...box.low, ...box.high], [...new Array(8).fill(-1), ...new Array(8).fill(1)]);
    assert.equal(new AntEnv({ includeCfrcExtInObservation: false }).observationSpace.shape[0], 27);
    assert.equal(new AntEnv({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape[0], 107);
  });

  it('observes qpos without x and y, then qvel, then the clipped contact forces of bodies 1-13', () => {
    env.state = standing();
    const { observation } = env.step(zeros());
    const state = env.state;
    assert.deepEqual(Array.from(observation.subarray(0, 13)), state.slice(2, 15).map(Math.fround));
    assert.deepEqual(Array.from(observation.subarray(13, 27)), state.slice(15).map(Math.fround));
    const forces = observation.subarray(27);
    assert.equal(forces.length, 78);
    assert.ok(forces.every((f) => f >= -1 && f <= 1));
  });

  it('rewards the torso x velocity plus 1 while healthy, minus 0.5 Σa² and the contact cost', () => {
    env.state = standing();
    const before = env.state;
    const action = Float32Array.of(0.5, -0.25, 1, 0, 0, -1, 0.75, 0.1);
    const result = env.step(action);
    const after = env.state;
    const info = result.info as Record<string, number>;
    // As in Gymnasium the velocity comes from the torso's xpos, which mj_step leaves at the start of
    // its last substep: close to, not equal to, the free joint's displacement over the 5 substeps.
    assert.ok(Math.abs(info.x_velocity! - (after[0]! - before[0]!) / DT) < 2e-3);
    assert.ok(Math.abs(info.y_velocity! - (after[1]! - before[1]!) / DT) < 2e-3);
    assert.notEqual(info.x_velocity, 0);
    assert.equal(info.reward_forward, info.x_velocity);
    assert.equal(info.reward_survive, 1);
    const squares = Array.from(action).reduce((sum, a) => sum + a * a, 0);
    assert.ok(Math.abs(info.reward_ctrl! - -0.5 * squares) < 1e-15);
    assert.ok(info.reward_contact! <= 0 && info.reward_contact! >= -5e-4 * 84);
    assert.ok(Math.abs(result.reward - (info.reward_forward! + info.reward_survive! + info.reward_ctrl! + info.reward_contact!)) < 1e-12);
    assert.equal(result.terminated, false);
  });

  it('pays no contact cost and observes zero contact forces in the air', () => {
    env.state = standing(0.95);
    const result = env.step(zeros());
    assert.equal((result.info as Record<string, number>).reward_contact, -0);
    assert.ok(result.observation.subarray(27).every((f) => f === 0));
  });

  it('terminates when the torso leaves z in [0.2, 1] (healthy reward 0), or never with terminateWhenUnhealthy false', () => {
    env.state = standing(1.2);
    const high = env.step(zeros());
    assert.equal(high.terminated, true);
    assert.equal((high.info as Record<string, number>).reward_survive, 0);
    const lenient = new AntEnv({ terminateWhenUnhealthy: false });
    lenient.reset({ seed: 0 });
    lenient.state = standing(1.2);
    assert.equal(lenient.step(zeros()).terminated, false);
    lenient.close();
  });

  it('resets to the initial pose plus U(±0.1) positions and 0.1·N(0,1) velocities, the same for the same seed', () => {
    const a = new AntEnv();
    const b = new AntEnv();
    const first = a.reset({ seed: 7 }).observation;
    assert.deepEqual(b.reset({ seed: 7 }).observation, first);
    const state = a.state;
    assert.ok(Math.abs(state[2]! - 0.75) <= 0.1);
    assert.ok(state.slice(15).some((v) => v !== 0));
    assert.notDeepEqual(a.reset({ seed: 8 }).observation, first);
    a.close();
    b.close();
  });

  it('continues bit for bit from a captured state, and friction changes the dynamics', () => {
    const kwargs = { terminateWhenUnhealthy: false };
    const run = (friction: number) => {
      const e = make('Ant-v5', { kwargs });
      e.reset({ seed: 3 });
      (e.unwrapped as AntEnv).setPhysics('friction', friction);
      const observations: number[][] = [];
      let snapshot: unknown[] | undefined;
      for (let i = 0; i < 60; i++) {
        if (i === 30) snapshot = captureEnvState(e);
        const action = Float32Array.from({ length: 8 }, (_, j) => Math.sin(i + j));
        const r = e.step(action);
        if (i >= 30) observations.push(Array.from(r.observation));
        if (r.terminated || r.truncated) break;
      }
      e.close();
      return { observations, snapshot: snapshot! };
    };
    const reference = run(1);
    const replay = (() => {
      const e = make('Ant-v5', { kwargs });
      e.reset({ seed: 99 });
      restoreEnvState(e, reference.snapshot);
      const observations: number[][] = [];
      for (let i = 30; i < 30 + reference.observations.length; i++) {
        observations.push(Array.from(e.step(Float32Array.from({ length: 8 }, (_, j) => Math.sin(i + j))).observation));
      }
      e.close();
      return observations;
    })();
    assert.deepEqual(replay, reference.observations);
    assert.notDeepEqual(run(0.02).observations, reference.observations);
  });

  it('exposes friction, gravity and a mass scale as physics, and refuses bad values', () => {
    const e = new AntEnv();
    assert.deepEqual(e.physics, { friction: 1, gravity: -9.81, massScale: 1 });
    e.setPhysics('gravity', 0);
    e.reset({ seed: 1 });
    e.state = standing(0.9);
    for (let i = 0; i < 10; i++) e.step(zeros());
    assert.ok(Math.abs(e.state[2]! - 0.9) < 1e-9, 'without gravity the torso stays up');
    assert.throws(() => e.setPhysics('friction', -1), /friction/);
    assert.throws(() => e.setPhysics('viscosity', 1), /valid ones: friction, gravity, massScale/);
    e.close();
  });

  it("takes mainBody as a body index or, as Gymnasium's data.body(main_body) does, a body name", () => {
    const action = Float32Array.of(0.5, -0.25, 1, 0, 0, -1, 0.75, 0.1);
    const infoWith = (mainBody?: number | string) => {
      const e = new AntEnv(mainBody === undefined ? {} : { mainBody });
      e.reset({ seed: 0 });
      e.state = standing();
      const info = e.step(action).info;
      e.close();
      return info;
    };
    const reference = infoWith();
    assert.deepEqual(infoWith('torso'), reference);
    assert.deepEqual(infoWith(1), reference);
    assert.notEqual(infoWith('aux_1').x_velocity, reference.x_velocity);
    assert.throws(() => new AntEnv({ mainBody: 'tail' }), /mainBody/);
    assert.throws(() => new AntEnv({ mainBody: 14 }), /mainBody/);
  });

  it('rejects malformed actions, names bad kwargs and refuses use after close', () => {
    assert.throws(() => env.step(new Float32Array(3)), /invalid action/);
    assert.throws(() => env.step([0, 0, 0, 0, 0, 0, 0, Number.NaN]), /invalid action/);
    assert.throws(() => new AntEnv({ healthyZRange: [1, 0.2] }), /healthyZRange/);
    assert.throws(() => new AntEnv({ frameSkip: 0 }), /frameSkip/);
    assert.throws(() => new AntEnv({ speed: 1 }), /speed/);
    const e = new AntEnv();
    e.close();
    assert.throws(() => e.reset(), /closed/);
  });
});
