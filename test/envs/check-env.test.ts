import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv } from '../../envs/classic-control/cart-pole.ts';
import { checkEnv } from '../../envs/check-env.ts';
import { Wrapper } from '../../envs/core.ts';
import type { Env, StepResult } from '../../envs/core.ts';
import { make, register } from '../../envs/registration.ts';
import { TransformObservation } from '../../envs/wrappers/transform-observation.ts';
import { PlasticdError } from '../../src/util/errors.ts';

register({ id: 'test/CheckedPole-v1', entryPoint: (k) => new CartPoleEnv(k), maxEpisodeSteps: 500 });

/** Rewrites each step's result with `edit`, to plant one defect at a time. */
class Tamper extends Wrapper<Float32Array, number> {
  constructor(
    env: Env<Float32Array, number>,
    private readonly edit: (r: StepResult<Float32Array>, t: number) => void,
  ) {
    super(env);
  }
  private t = 0;
  override step(action: number): StepResult<Float32Array> {
    const r = this.env.step(action);
    this.edit(r, this.t++);
    return r;
  }
}

const failsWith = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof PlasticdError, `expected a PlasticdError, got ${String(e)}`);
  assert.equal(e.code, 'env_check_failed');
  assert.match(e.message, pattern);
  return true;
};

const pole = () => make('test/CheckedPole-v1') as Env<Float32Array, number>;

describe('checkEnv', () => {
  it('passes a made CartPole and reports what it checked', () => {
    const report = checkEnv(pole(), { seed: 3, steps: 300 });
    assert.equal(report.name, 'test/CheckedPole-v1');
    assert.ok(report.episodesEnded > 0);
    assert.ok(report.passed.some((p) => /step\(\) after the end/.test(p)));
    assert.ok(report.passed.some((p) => /restored initial state/.test(p)));
    assert.deepEqual(report.skipped, []);
  });

  it('also accepts a factory and then compares two fresh envs', () => {
    const report = checkEnv(pole, { steps: 50 });
    assert.ok(report.passed.some((p) => /two fresh envs/.test(p)));
  });

  it('fails an env that lets step() run before reset()', () => {
    const raw = new TransformObservation(new CartPoleEnv(), (o: Float32Array) => o);
    // CartPoleEnv itself refuses, so wrap it in something that resets behind the caller's back.
    const sneaky = new (class extends Wrapper<Float32Array, number> {
      override step(a: number) {
        this.env.reset({ seed: 0 });
        return this.env.step(a);
      }
    })(raw);
    assert.throws(() => checkEnv(sneaky), failsWith(/step\(\) before reset\(\) should throw PlasticdError\('reset_needed'\) but did not throw/));
  });

  it('fails a non-finite reward, naming the step', () => {
    const env = new Tamper(pole(), (r, t) => {
      if (t === 4) r.reward = Number.NaN;
    });
    assert.throws(() => checkEnv(env), failsWith(/reward at step 4 must be a finite number, got NaN/));
  });

  it('fails flags that are not booleans', () => {
    const env = new Tamper(pole(), (r) => {
      (r as { truncated: unknown }).truncated = 0;
    });
    assert.throws(() => checkEnv(env), failsWith(/truncated at step 0 must be a boolean, got 0/));
  });

  it('fails an observation outside the observation space', () => {
    const env = new Tamper(pole(), (r, t) => {
      if (t === 2) r.observation = Float32Array.of(99, 0, 0, 0);
    });
    assert.throws(() => checkEnv(env), failsWith(/observation from step 2, Float32Array \[99, 0, 0, 0\], is not in the observation space Box/));
  });

  it('fails an info that is not an object', () => {
    const env = new Tamper(pole(), (r) => {
      (r as { info: unknown }).info = null;
    });
    assert.throws(() => checkEnv(env), failsWith(/info from step 0 must be a plain object/));
  });

  it('fails an env whose trajectory depends on hidden state the seed does not reset', () => {
    let calls = 0;
    const env = new Tamper(pole(), (r) => {
      r.reward = calls++ % 7;
    });
    assert.throws(() => checkEnv(env, { steps: 30 }), failsWith(/the same seed and actions gave a different result at step 0/));
  });

  it('fails an env that accepts an invalid action', () => {
    const lax = new (class extends Wrapper<Float32Array, number> {
      override step(a: number) {
        return this.env.step(a === 0 || a === 1 ? a : 0);
      }
    })(pole());
    assert.throws(() => checkEnv(lax), failsWith(/step\(2\) with an action outside Discrete\(2\) should throw PlasticdError\('invalid_action'\)/));
  });
});
