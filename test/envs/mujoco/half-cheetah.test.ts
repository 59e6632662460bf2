import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HalfCheetahEnv, loadMujoco, make, registrationOf } from '../../../envs/index.ts';

await loadMujoco();

describe('HalfCheetah-v5', () => {
  it("registers with Gymnasium's limit and threshold, 17 observations and 6 actions", () => {
    assert.equal(registrationOf('HalfCheetah-v5')!.maxEpisodeSteps, 1000);
    assert.equal(registrationOf('HalfCheetah-v5')!.rewardThreshold, 4800);
    const env = make('HalfCheetah-v5');
    assert.deepEqual(env.observationSpace.shape, [17]);
    assert.deepEqual(env.actionSpace.shape, [6]);
    env.close();
  });

  it('rewards the root x velocity minus 0.1 Σa², observes qpos without x then qvel, and never terminates', () => {
    const env = new HalfCheetahEnv();
    env.reset({ seed: 0 });
    env.state = [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
    const action = Float32Array.of(1, -1, 0.5, 0, 0.25, -0.5);
    for (let i = 0; i < 50; i++) {
      const before = env.state[0]!;
      const r = env.step(action);
      const after = env.state;
      const info = r.info as Record<string, number>;
      // qpos[0] is the rootx slider itself, so the velocity is exactly its change over dt.
      assert.equal(info.x_velocity, (after[0]! - before) / 0.05);
      assert.equal(info.x_position, after[0]);
      const squares = Array.from(action).reduce((sum, a) => sum + a * a, 0);
      assert.equal(info.reward_ctrl, -0.1 * squares);
      assert.equal(r.reward, info.reward_forward! + info.reward_ctrl!);
      assert.deepEqual(Array.from(r.observation), [...after.slice(1, 9), ...after.slice(9)].map(Math.fround));
      assert.equal(r.terminated, false);
    }
    env.close();
  });

  it('takes friction from its model (0.4) and lets it be changed', () => {
    const env = new HalfCheetahEnv();
    assert.equal(env.physics.friction, 0.4);
    env.setPhysics('friction', 1.5);
    assert.equal(env.physics.friction, 1.5);
    env.close();
  });
});
