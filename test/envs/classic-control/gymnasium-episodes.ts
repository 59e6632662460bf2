/**
 * Replays the episodes that scripts/fixtures/record_gymnasium_episodes.py recorded with Gymnasium's
 * own code (test/fixtures/gymnasium-episodes/<id>.json) through plasticd's `make(id)`, the way a user
 * would: `reset({seed})`, assign `env.unwrapped.state` the recorded initial state, step the recorded
 * actions to the episode's end, then (where recorded) step the unwrapped env past a termination.
 * Shared by the exact test (host libm) and the JavaScript-fallback test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { make } from '../../../envs/index.ts';
import type { Env, PhysicalEnv } from '../../../envs/core.ts';

export const ENV_IDS = ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'] as const;
export type ClassicId = (typeof ENV_IDS)[number];

export interface RecordedStep {
  /** float32 observation. */
  o: number[];
  r: number;
  te: boolean;
  tr: boolean;
  /** float64 unwrapped state after the step (every 50th step and the last). */
  s?: number[];
}

export interface Episode {
  name: string;
  kwargs: Record<string, unknown>;
  seed: number;
  resetOptions: Record<string, unknown> | null;
  /** Gymnasium's reset(seed) observation (numpy's PCG64; plasticd's reset RNG differs). */
  resetObservation: number[];
  stateAssigned: boolean;
  initialState: number[];
  actionKind: 'discrete' | 'float32' | 'float64-array';
  actions: number[];
  steps: RecordedStep[];
  /** Steps of the unwrapped env after a termination, each with its action `a`. */
  pastEnd: Array<RecordedStep & { a: number }>;
}

export interface Recording {
  id: ClassicId;
  recordedWith: Record<string, string>;
  episodes: Episode[];
}

export function loadRecording(id: ClassicId): Recording {
  const path = fileURLToPath(new URL(`../../fixtures/gymnasium-episodes/${id}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Recording;
}

export interface ReplayOptions {
  /** How float32 actions are passed: a Float32Array or a plain number[] (both mean float32). */
  float32As: 'Float32Array' | 'number[]';
  /** Allowed relative error of rewards and float64 states (0: bit-identical). */
  tolerance: number;
  /** Compare only the first `steps` steps (default: the whole episode and its past-the-end steps). */
  steps?: number;
}

function toAction(kind: Episode['actionKind'], value: number, float32As: ReplayOptions['float32As']): unknown {
  if (kind === 'discrete') return value;
  if (kind === 'float64-array') return Float64Array.of(value);
  return float32As === 'Float32Array' ? Float32Array.of(value) : [value];
}

function close(actual: number, expected: number, tolerance: number): boolean {
  if (tolerance === 0) return Object.is(actual, expected);
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), Number.MIN_VALUE);
}

function compare(step: number, result: { observation: Float32Array; reward: number; terminated: boolean; truncated: boolean }, state: number[], expected: RecordedStep, tolerance: number): string | null {
  const observation = Array.from(result.observation);
  if (observation.length !== expected.o.length || observation.some((v, j) => !Object.is(v, expected.o[j]))) {
    return `step ${step}: observation ${JSON.stringify(observation)}, Gymnasium ${JSON.stringify(expected.o)}`;
  }
  if (result.terminated !== expected.te || result.truncated !== expected.tr) {
    return `step ${step}: terminated/truncated ${result.terminated}/${result.truncated}, Gymnasium ${expected.te}/${expected.tr}`;
  }
  if (!close(result.reward, expected.r, tolerance)) return `step ${step}: reward ${result.reward}, Gymnasium ${expected.r}`;
  if (expected.s !== undefined && expected.s.some((v, j) => !close(state[j]!, v, tolerance))) {
    return `step ${step}: state ${JSON.stringify(state)}, Gymnasium ${JSON.stringify(expected.s)}`;
  }
  return null;
}

/** The first difference from Gymnasium's recording, or null when the replay matches. */
export function replay(id: ClassicId, episode: Episode, options: ReplayOptions): string | null {
  const env = make(id, { kwargs: episode.kwargs }) as Env<Float32Array, unknown>;
  env.reset({ seed: episode.seed, ...(episode.resetOptions ? { options: episode.resetOptions } : {}) });
  const physical = env.unwrapped as unknown as PhysicalEnv & Env<Float32Array, unknown>;
  physical.state = episode.initialState;
  const limit = options.steps ?? Infinity;
  for (let i = 0; i < episode.steps.length && i < limit; i++) {
    const result = env.step(toAction(episode.actionKind, episode.actions[i]!, options.float32As));
    const difference = compare(i, result, physical.state, episode.steps[i]!, options.tolerance);
    if (difference !== null) return difference;
  }
  if (limit < episode.steps.length) return null;
  for (const [k, expected] of episode.pastEnd.entries()) {
    const result = physical.step(toAction(episode.actionKind, expected.a, options.float32As));
    const difference = compare(episode.steps.length + k, result, physical.state, expected, options.tolerance);
    if (difference !== null) return `past the end, ${difference}`;
  }
  return null;
}
