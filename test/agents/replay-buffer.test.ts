import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../agents/replay-buffer.ts';
import { Rng } from '../../src/util/rng.ts';

/** Transition i: observation [i, −i], action i mod 3, reward 10·i, next observation [i + 1, −i − 1], terminated when i is even. */
function fill(buffer: ReplayBuffer, from: number, to: number): void {
  for (let i = from; i < to; i++) buffer.add([i, -i], i % 3, 10 * i, [i + 1, -i - 1], i % 2 === 0);
}

function sampledIds(buffer: ReplayBuffer, seed: number, batchSize: number): number[] {
  const batch = buffer.sample(new Rng(seed), buffer.createBatch(batchSize));
  return Array.from(batch.observations.filter((_, k) => k % 2 === 0));
}

describe('ReplayBuffer', () => {
  it('returns whole transitions, each field from the same row', () => {
    const buffer = new ReplayBuffer(10, 2);
    fill(buffer, 0, 7);
    const batch = buffer.sample(new Rng(1), buffer.createBatch(32));
    for (let b = 0; b < 32; b++) {
      const i = batch.observations[2 * b];
      assert.ok(i >= 0 && i < 7);
      assert.equal(batch.observations[2 * b + 1], -i);
      assert.equal(batch.actions[b], i % 3);
      assert.equal(batch.rewards[b], 10 * i);
      assert.deepEqual([batch.nextObservations[2 * b], batch.nextObservations[2 * b + 1]], [i + 1, -i - 1]);
      assert.equal(batch.terminated[b], i % 2 === 0 ? 1 : 0);
    }
  });

  it('overwrites the oldest transitions once full', () => {
    const buffer = new ReplayBuffer(3, 2);
    fill(buffer, 0, 5);
    assert.equal(buffer.size, 3);
    assert.deepEqual(new Set(sampledIds(buffer, 2, 200)), new Set([2, 3, 4]));
  });

  it('samples the same rows from the same seed and different rows from another', () => {
    const buffer = new ReplayBuffer(100, 2);
    fill(buffer, 0, 100);
    assert.deepEqual(sampledIds(buffer, 5, 16), sampledIds(buffer, 5, 16));
    assert.notDeepEqual(sampledIds(buffer, 5, 16), sampledIds(buffer, 6, 16));
  });

  it('restores into a fresh buffer that samples and keeps writing identically', () => {
    const buffer = new ReplayBuffer(4, 2);
    fill(buffer, 0, 6);
    const copy = new ReplayBuffer(4, 2);
    copy.restore(structuredClone(buffer.state()));
    fill(buffer, 6, 8);
    fill(copy, 6, 8);
    assert.deepEqual(buffer.state(), copy.state());
    assert.deepEqual(sampledIds(copy, 3, 20), sampledIds(buffer, 3, 20));
  });

  it('copies transitions in: mutating or reusing the caller\'s arrays after add changes nothing stored', () => {
    const buffer = new ReplayBuffer(4, 2);
    const observation = new Float32Array([1, 2]);
    const next = new Float32Array([3, 4]);
    buffer.add(observation, 0, 1, next, false);
    // A caller that reuses one array per step (next becomes the following observation).
    observation.set([5, 6]);
    next.set([7, 8]);
    buffer.add(next, 1, 1, observation, true);
    const state = buffer.state();
    assert.deepEqual(Array.from(state.observations), [1, 2, 7, 8]);
    assert.deepEqual(Array.from(state.nextObservations), [3, 4, 5, 6]);
  });

  it('stores action rows for vector actions', () => {
    const buffer = new ReplayBuffer(2, 1, 2);
    buffer.add([0], [0.5, -0.5], 1, [1], false);
    const batch = buffer.sample(new Rng(1), buffer.createBatch(1));
    assert.deepEqual(Array.from(batch.actions), [0.5, -0.5]);
  });

  it('rejects observations of the wrong size and sampling when empty, with actionable messages', () => {
    const buffer = new ReplayBuffer(2, 3);
    assert.throws(() => buffer.sample(new Rng(1), buffer.createBatch(1)), /empty/);
    assert.throws(() => buffer.add([1, 2], 0, 0, [1, 2, 3], false), /3 values/);
    assert.throws(() => new ReplayBuffer(0, 3), /positive integer/);
  });
});
