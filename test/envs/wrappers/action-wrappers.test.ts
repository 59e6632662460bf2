import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BaseEnv } from '../../../envs/core.ts';
import { float32Box } from '../../../envs/classic-control/checks.ts';
import type { ResetResult, StepResult } from '../../../envs/core.ts';
import { Box } from '../../../envs/spaces.ts';
import type { BoxValue } from '../../../envs/spaces.ts';
import { ClipAction } from '../../../envs/wrappers/clip-action.ts';
import { OrderEnforcing } from '../../../envs/wrappers/order-enforcing.ts';
import { RescaleAction } from '../../../envs/wrappers/rescale-action.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

/** Remembers the last action it was given; action space [-2, 2] × [0, 1]. */
class RecorderEnv extends BaseEnv<Float32Array, BoxValue> {
  readonly observationSpace = float32Box(-10, 10, [2]);
  readonly actionSpace = new Box([-2, 0], [2, 1], [2], 'float32');
  last: number[] = [];
  reset(): ResetResult<Float32Array> {
    return { observation: new Float32Array(2), info: {} };
  }
  step(action: BoxValue): StepResult<Float32Array> {
    this.last = Array.from(action);
    return { observation: Float32Array.from(action), reward: 0, terminated: false, truncated: false, info: {} };
  }
}

describe('ClipAction', () => {
  it('clips each component into the inner bounds', () => {
    const inner = new RecorderEnv();
    const env = new ClipAction(inner);
    env.reset();
    env.step(Float32Array.of(5, -3));
    assert.deepEqual(inner.last, [2, 0]);
    env.step(Float32Array.of(-0.5, 0.25));
    assert.deepEqual(inner.last, [-0.5, 0.25]);
  });

  it('exposes an unbounded Box of the same shape and dtype', () => {
    assert.equal(String(new ClipAction(new RecorderEnv()).actionSpace), 'Box(-inf, inf, (2,), float32)');
  });

  it('rejects NaN and wrong-length actions naming its space', () => {
    const env = new ClipAction(new RecorderEnv());
    env.reset();
    assert.throws(() => env.step(Float32Array.of(Number.NaN, 0)), (e: unknown) => e instanceof PlasticdError && e.code === 'invalid_action' && e.message.includes('Box(-inf, inf, (2,), float32)'));
    assert.throws(() => env.step(Float32Array.of(1)), /invalid|not in the action space/);
  });
});

describe('RescaleAction', () => {
  it('maps [min, max] affinely onto the inner bounds', () => {
    const inner = new RecorderEnv();
    const env = new RescaleAction(inner, -1, 1);
    env.reset();
    env.step(Float32Array.of(-1, -1));
    assert.deepEqual(inner.last, [-2, 0]);
    env.step(Float32Array.of(1, 1));
    assert.deepEqual(inner.last, [2, 1]);
    env.step(Float32Array.of(0, 0.5));
    assert.deepEqual(inner.last, [0, 0.75]);
    assert.equal(String(env.actionSpace), 'Box(-1.0, 1.0, (2,), float32)');
  });

  it('takes per-component bounds and keeps the result inside the inner space', () => {
    const inner = new OrderEnforcing(new RecorderEnv());
    const env = new RescaleAction(inner, [0, 0], [0.3, 0.7]);
    env.reset();
    for (const a of [[0, 0], [0.3, 0.7], [0.1, 0.7]]) assert.doesNotThrow(() => env.step(Float32Array.from(a)));
  });

  it('rejects actions outside [min, max] and bad bounds', () => {
    const env = new RescaleAction(new RecorderEnv(), -1, 1);
    env.reset();
    assert.throws(() => env.step(Float32Array.of(1.5, 0)), /not in the action space Box\(-1\.0, 1\.0/);
    assert.throws(() => new RescaleAction(new RecorderEnv(), 1, 1), /minAction < maxAction/);
  });
});
