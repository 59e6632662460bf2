import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { Box } from '../../../envs/spaces.ts';
import { TransformObservation } from '../../../envs/wrappers/transform-observation.ts';
import { TransformReward } from '../../../envs/wrappers/transform-reward.ts';

describe('TransformObservation', () => {
  it('applies the function to reset and step observations', () => {
    const plain = new CartPoleEnv();
    const env = new TransformObservation(new CartPoleEnv(), (o: Float32Array) => o.map((v) => v * 2));
    const a = plain.reset({ seed: 3 }).observation;
    const b = env.reset({ seed: 3 }).observation;
    assert.deepEqual(Array.from(b), Array.from(a, (v) => Math.fround(v * 2)));
    assert.deepEqual(Array.from(env.step(1).observation), Array.from(plain.step(1).observation, (v) => Math.fround(v * 2)));
  });

  it('declares the new observation space when given one', () => {
    const space = new Box(-1, 1, [1], 'float32');
    const env = new TransformObservation(new CartPoleEnv(), (o: Float32Array) => Float32Array.of(Math.tanh(o[0]!)), space);
    assert.equal(env.observationSpace, space);
    env.reset({ seed: 0 });
    assert.ok(space.contains(env.step(0).observation));
  });
});

describe('TransformReward', () => {
  it('replaces the reward with the function of it', () => {
    const env = new TransformReward(new CartPoleEnv(), (r) => r * 0.1 - 1);
    env.reset({ seed: 0 });
    assert.equal(env.step(0).reward, 1 * 0.1 - 1);
  });
});
