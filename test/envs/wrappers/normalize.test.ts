import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BaseEnv } from '../../../envs/core.ts';
import { float32Box } from '../../../envs/classic-control/checks.ts';
import type { ResetResult, StepResult } from '../../../envs/core.ts';
import { Discrete } from '../../../envs/spaces.ts';
import { NormalizeObservation } from '../../../envs/wrappers/normalize-observation.ts';
import { NormalizeReward } from '../../../envs/wrappers/normalize-reward.ts';

/** Replays fixed observations, rewards and terminations. */
class ScriptedEnv extends BaseEnv<Float32Array, number> {
  readonly observationSpace = float32Box(-1000, 1000, [4]);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  /** Steps over all episodes: rewards and terminations are read by it. */
  private k = 0;
  constructor(
    private readonly observations: number[][],
    private readonly rewards: number[] = [],
    private readonly terminations: boolean[] = [],
  ) {
    super();
  }
  reset(): ResetResult<Float32Array> {
    this.t = 0;
    return { observation: Float32Array.from(this.observations[0]!), info: {} };
  }
  step(): StepResult<Float32Array> {
    const i = this.t++;
    const k = this.k++;
    const obs = this.observations[Math.min(i + 1, this.observations.length - 1)]!;
    return { observation: Float32Array.from(obs), reward: this.rewards[k] ?? 0, terminated: this.terminations[k] ?? false, truncated: false, info: {} };
  }
}

const OBSERVATIONS = [
  [0.01, -0.5, 3.25, 100.0],
  [0.02, 0.7, -1.5, 90.0],
  [-0.3, 0.1, 2.0, 110.0],
  [1e-3, -2.0, 0.0, 95.5],
  [0.5, 0.25, -0.75, 105.25],
];
// NumPy 2.4 + Gymnasium's NormalizeObservation on the observations above (reset, then 4 steps).
const EXPECTED = [
  [0.00010001905320677906, -0.004472967702895403, 0.009557620622217655, 0.010002636350691319],
  [0.5773694515228271, 0.9999630451202393, -0.9999988079071045, -0.9901776313781738],
  [-1.4126476049423218, 6.782598120480543e-6, 0.3730849623680115, 1.2221217155456543],
  [0.5069029927253723, -1.5696210861206055, -0.5141834020614624, -0.45877325534820557],
  [1.766625165939331, 0.5761584639549255, -0.7648977637290955, 0.7234184741973877],
];

describe('NormalizeObservation', () => {
  it('returns the same float32 values as Gymnasium on reset and every step', () => {
    const env = new NormalizeObservation(new ScriptedEnv(OBSERVATIONS));
    const got = [env.reset().observation];
    for (let i = 0; i < 4; i++) got.push(env.step(0).observation);
    for (const [i, obs] of got.entries()) {
      assert.ok(obs instanceof Float32Array);
      assert.deepEqual(Array.from(obs), EXPECTED[i]);
    }
  });

  it('declares an unbounded float32 observation space of the same shape', () => {
    const env = new NormalizeObservation(new ScriptedEnv(OBSERVATIONS));
    assert.equal(String(env.observationSpace), 'Box(-inf, inf, (4,), float32)');
  });

  it('stops updating its statistics when updateRunningMean is false', () => {
    const env = new NormalizeObservation(new ScriptedEnv(OBSERVATIONS));
    env.reset();
    env.step(0);
    env.updateRunningMean = false;
    const before = env.obsRms.state();
    env.step(0);
    env.step(0);
    assert.deepEqual(env.obsRms.state(), before);
  });
});

describe('NormalizeReward', () => {
  it('divides rewards by the running std of the discounted return, as Gymnasium does', () => {
    const rewards = [1.0, 1.0, 1.0, -2.5, 0.5, 1.0];
    const terms = [false, false, true, false, false, true];
    const env = new NormalizeReward(new ScriptedEnv(OBSERVATIONS, rewards, terms));
    env.reset();
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      got.push(env.step(0).reward);
      if (terms[i]) env.reset();
    }
    // NumPy 2.4 reference (float64 all the way, so equal to the last bits).
    assert.deepEqual(got, [70.71421321062337, 2.019586009822606, 2.142329617164407, -1.9312980212467001, 0.37712807482243305, 0.8075420056690682]);
    assert.equal(env.returnRms.var[0], 1.5334504696306375);
  });

  it('freezes the statistics when updateRunningMean is false', () => {
    const env = new NormalizeReward(new ScriptedEnv(OBSERVATIONS, [1, 2, 3]), { gamma: 0.9 });
    env.reset();
    env.step(0);
    env.updateRunningMean = false;
    const variance = env.returnRms.var[0]!;
    const r = env.step(0).reward;
    assert.equal(env.returnRms.var[0], variance);
    assert.equal(r, 2 / Math.sqrt(variance + 1e-8));
  });
});
