import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../../envs/classic-control/cart-pole.ts';
import { TimeLimit } from '../../../envs/wrappers/time-limit.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

describe('TimeLimit', () => {
  it('truncates on the step where elapsed reaches the limit, and not before', () => {
    const env = new TimeLimit(new CartPoleEnv(), 3);
    env.reset({ seed: 123 });
    const flags = [0, 1, 2].map(() => env.step(1)).map((r) => [r.terminated, r.truncated]);
    assert.deepEqual(flags, [
      [false, false],
      [false, false],
      [false, true],
    ]);
    assert.equal(env.elapsedSteps, 3);
  });

  it('restarts the count on reset', () => {
    const env = new TimeLimit(new CartPoleEnv(), 2);
    env.reset({ seed: 1 });
    env.step(0);
    env.reset();
    assert.equal(env.elapsedSteps, 0);
    assert.equal(env.step(1).truncated, false);
    assert.equal(env.step(0).truncated, true);
  });

  it('leaves terminated alone: both flags can be true on the same step', () => {
    const env = new TimeLimit(new CartPoleEnv(), 500);
    env.reset({ seed: 0 });
    let steps = 0;
    let last;
    do {
      last = env.step(1);
      steps++;
    } while (!last.terminated);
    const limited = new TimeLimit(new CartPoleEnv(), steps);
    limited.reset({ seed: 0 });
    for (let i = 0; i < steps - 1; i++) limited.step(1);
    const final = limited.step(1);
    assert.equal(final.terminated, true);
    assert.equal(final.truncated, true);
  });

  it('throws step_after_end when stepped past its truncation', () => {
    const env = new TimeLimit(new CartPoleEnv(), 1);
    env.reset({ seed: 0 });
    env.step(0);
    assert.throws(
      () => env.step(0),
      (e: unknown) => e instanceof PlasticdError && e.code === 'step_after_end' && /time limit of 1 steps/.test(e.message),
    );
  });

  it('rejects a limit that is not a positive integer', () => {
    assert.throws(() => new TimeLimit(new CartPoleEnv(), 0), /positive integer/);
    assert.throws(() => new TimeLimit(new CartPoleEnv(), 2.5), /positive integer/);
  });

  it('reports its limit in the spec', () => {
    const base = new CartPoleEnv();
    base.spec = { id: 'X-v0', kwargs: {} };
    assert.equal(new TimeLimit(base, 7).spec?.maxEpisodeSteps, 7);
    assert.equal(base.spec.maxEpisodeSteps, undefined);
  });
});
