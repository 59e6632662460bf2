/**
 * Replays trajectories recorded from literal numpy ports of Gymnasium 1.x's classic-control steps
 * (scripts/fixtures/gymnasium_classic.py → test/fixtures/gymnasium/*.json): same start state, same
 * actions, and the float32 observations and termination flags must be bit-identical.
 *
 * Documented inexactness (libm, not dynamics):
 * - V8's Math.sin/cos (fdlibm) differ from glibc's in the last bit for ~3% of arguments. The float64
 *   state of Acrobot and Pendulum drifts by a few ulps over a trajectory (checked to 1e-13
 *   relative); their float32 observations still match exactly.
 * - Python's `x**2` / math.pow(x, 2) call glibc pow/powf, which is not correctly rounded (~1 in
 *   1000 differs from x*x by one ulp). Pendulum's reward is therefore checked to 4 float64 ulps plus
 *   one float32 ulp of its float32 torque-cost term, MountainCarContinuous's to 2 ulps; every other
 *   reward is exact.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AcrobotEnv, CartPoleEnv, ContinuousMountainCarEnv, MountainCarEnv, PendulumEnv } from '../../../envs/classic-control/index.ts';
import type { Env, PhysicalEnv } from '../../../envs/core.ts';

interface FixtureStep {
  observation: number[];
  reward: number;
  terminated: boolean;
  state: number[];
}
interface Trajectory {
  name: string;
  kwargs: Record<string, unknown>;
  initialState: number[];
  actionDtype: 'discrete' | 'float32' | 'float64' | 'float64-array';
  actions: number[];
  steps: FixtureStep[];
}

type AnyEnv = Env<Float32Array, any> & PhysicalEnv;

function load(name: string): Trajectory[] {
  const path = fileURLToPath(new URL(`../../fixtures/gymnasium/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')).trajectories as Trajectory[];
}

function action(value: number, dtype: Trajectory['actionDtype']): unknown {
  if (dtype === 'discrete') return value;
  if (dtype === 'float32') return Float32Array.of(value);
  if (dtype === 'float64-array') return Float64Array.of(value);
  return [value];
}

/** Distance to the next larger-magnitude double. */
function ulp64(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0) - Math.abs(x);
}

function ulp32(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, Math.abs(x));
  view.setUint32(0, view.getUint32(0) + 1);
  return view.getFloat32(0) - Math.fround(Math.abs(x));
}

interface Tolerance {
  /** Allowed |reward - expected| for step i of trajectory t. */
  reward(expected: number, t: Trajectory, i: number): number;
  /** Allowed relative error of the float64 state (0: exact). */
  state: number;
}

const EXACT: Tolerance = { reward: () => 0, state: 0 };

const suites: Array<{ file: string; make: (kwargs: Record<string, unknown>) => AnyEnv; tolerance: Tolerance }> = [
  { file: 'cart-pole', make: (k) => new CartPoleEnv(k), tolerance: EXACT },
  { file: 'mountain-car', make: (k) => new MountainCarEnv(k), tolerance: EXACT },
  {
    file: 'continuous-mountain-car',
    make: (k) => new ContinuousMountainCarEnv(k) as unknown as AnyEnv,
    tolerance: { reward: (r) => 2 * ulp64(r), state: 0 },
  },
  { file: 'acrobot', make: (k) => new AcrobotEnv(k), tolerance: { reward: () => 0, state: 1e-13 } },
  {
    file: 'pendulum',
    make: (k) => new PendulumEnv(k) as unknown as AnyEnv,
    tolerance: {
      reward: (r, t, i) => {
        const u = Math.min(2, Math.max(-2, t.actions[i]!));
        return 4 * ulp64(r) + (t.actionDtype === 'float32' ? ulp32(0.001 * u * u) : 0);
      },
      state: 1e-13,
    },
  },
];

for (const suite of suites) {
  describe(`${suite.file} against Gymnasium fixtures`, () => {
    for (const t of load(suite.file)) {
      it(`replays "${t.name}" (${t.steps.length} steps) with identical float32 observations`, () => {
        const env = suite.make(t.kwargs);
        env.state = t.initialState;
        t.steps.forEach((expected, i) => {
          const where = `${t.name}, step ${i}`;
          const result = env.step(action(t.actions[i]!, t.actionDtype));
          assert.ok(result.observation instanceof Float32Array, `${where}: observation is a Float32Array`);
          assert.deepEqual(Array.from(result.observation), expected.observation, `${where}: observation`);
          assert.equal(result.terminated, expected.terminated, `${where}: terminated`);
          assert.equal(result.truncated, false, `${where}: truncated`);
          const rewardTolerance = suite.tolerance.reward(expected.reward, t, i);
          assert.ok(
            Math.abs(result.reward - expected.reward) <= rewardTolerance,
            `${where}: reward ${result.reward} vs ${expected.reward} (tolerance ${rewardTolerance})`,
          );
          const state = env.state;
          for (let j = 0; j < state.length; j++) {
            const allowed = suite.tolerance.state * Math.max(1, Math.abs(expected.state[j]!));
            assert.ok(Math.abs(state[j]! - expected.state[j]!) <= allowed, `${where}: state[${j}] ${state[j]} vs ${expected.state[j]}`);
          }
        });
      });
    }
  });
}

describe('Gymnasium fixtures', () => {
  it('cover terminations, clipping and both action dtypes', () => {
    const terminating = (file: string) => load(file).filter((t) => t.steps.some((s) => s.terminated)).length;
    assert.ok(terminating('cart-pole') >= 4);
    assert.ok(terminating('acrobot') >= 2);
    assert.ok(terminating('mountain-car') >= 2);
    assert.ok(terminating('continuous-mountain-car') >= 2);
    const cartPoleFall = load('cart-pole')[0]!;
    assert.deepEqual(cartPoleFall.steps.slice(-3).map((s) => s.reward), [0, 0, 0], 'steps after termination give reward 0');
    const acrobotClip = load('acrobot').find((t) => t.name.startsWith('velocities clipped'))!;
    assert.ok(acrobotClip.steps.some((s) => Math.abs(s.state[2]!) === 4 * Math.PI), 'theta1 velocity hits 4 pi');
    assert.ok(acrobotClip.steps.some((s) => Math.abs(s.state[3]!) === 9 * Math.PI), 'theta2 velocity hits 9 pi');
    const wall = load('mountain-car').find((t) => t.name === 'inelastic left wall')!;
    assert.deepEqual(wall.steps[0]!.state, [-1.2, 0]);
    const spin = load('pendulum').find((t) => t.name.startsWith('spinning'))!;
    assert.ok(spin.steps.some((s) => s.state[1] === 8) && spin.steps.at(-1)!.state[0]! > 2 * Math.PI);
    const dtypes = new Set(load('continuous-mountain-car').map((t) => t.actionDtype));
    assert.deepEqual([...dtypes].sort(), ['float32', 'float64', 'float64-array']);
  });
});
