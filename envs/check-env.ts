/**
 * The env conformance check (after gymnasium/utils/env_checker.py's `check_env`, adapted to our
 * stricter contract): step before reset and step after the end are errors, bad actions are
 * rejected naming the space, outputs lie in their spaces, rewards are finite, flags are booleans,
 * info is an object, and the same seed gives the same trajectory. Pass a freshly made env (or a
 * factory): the first thing checked is that stepping it before any reset throws.
 */
import { PlasticdError } from '../src/util/errors.ts';
import type { Env, Info } from './core.ts';
import { Box, Discrete, MultiDiscrete } from './spaces.ts';
import type { Space } from './spaces.ts';
import { captureEnvState, restoreEnvState } from './stateful.ts';

export interface CheckEnvOptions {
  /** Seed for the env's reset and the action space's sampler (default 0). */
  seed?: number;
  /** Random-policy steps recorded and replayed for the determinism check (default 200). */
  steps?: number;
  /** Most steps to search for an episode end for the step-after-end check (default: spec limit, else 10 000). */
  maxSearchSteps?: number;
}

export interface CheckEnvReport {
  name: string;
  steps: number;
  episodesEnded: number;
  /** Checks that passed, in order. */
  passed: string[];
  /** Checks that could not run, with the reason. */
  skipped: string[];
}

interface Transition {
  observation: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
  reset: boolean;
}

class CheckFailure extends Error {}

/** Runs every check and returns a report, or throws `PlasticdError('env_check_failed')` saying what failed. */
export function checkEnv(envOrFactory: Env<any, any> | (() => Env<any, any>), options: CheckEnvOptions = {}): CheckEnvReport {
  const factory = typeof envOrFactory === 'function' ? (envOrFactory as () => Env<any, any>) : null;
  const env = factory ? factory() : (envOrFactory as Env<any, any>);
  const name = env.spec?.id ?? String(env);
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 200;
  const report: CheckEnvReport = { name, steps, episodesEnded: 0, passed: [], skipped: [] };
  try {
    runChecks(env, factory, seed, steps, options.maxSearchSteps, report);
  } catch (error) {
    if (error instanceof CheckFailure) throw new PlasticdError('env_check_failed', `checkEnv(${name}): ${error.message}`, { report });
    const message = error instanceof Error ? error.message : String(error);
    throw new PlasticdError('env_check_failed', `checkEnv(${name}): unexpected error: ${message}`, { report, cause: error });
  }
  return report;
}

function runChecks(
  env: Env<any, any>,
  factory: (() => Env<any, any>) | null,
  seed: number,
  steps: number,
  maxSearchSteps: number | undefined,
  report: CheckEnvReport,
): void {
  const { observationSpace, actionSpace } = env;
  if (!isSpace(observationSpace)) fail(`observationSpace is not a Space (got ${String(observationSpace)})`);
  if (!isSpace(actionSpace)) fail(`actionSpace is not a Space (got ${String(actionSpace)})`);
  report.passed.push('spaces are declared');

  expectThrows(() => env.step(actionSpace.sample()), 'reset_needed', 'step() before reset()');
  report.passed.push('step() before reset() throws reset_needed');

  const initialState = factory ? null : captureEnvState(env);
  actionSpace.seed(seed);
  const actions = Array.from({ length: steps }, () => actionSpace.sample());

  const first = env.reset({ seed });
  checkObservation(observationSpace, first.observation, 'reset()');
  checkInfo(first.info, 'reset()');
  report.passed.push('reset() returns an observation in the space and an info object');

  const bad = badAction(actionSpace);
  if (bad === undefined) report.skipped.push(`no invalid action exists for ${String(actionSpace)}`);
  else {
    const error = expectThrows(() => env.step(bad as never), 'invalid_action', `step(${describe(bad)}) with an action outside ${String(actionSpace)}`);
    if (!error.message.includes(String(actionSpace))) fail(`the invalid_action error does not name the action space ${String(actionSpace)}: "${error.message}"`);
    report.passed.push('an invalid action throws invalid_action naming the space');
  }

  const trajectory: Transition[] = [record(first.observation, 0, false, false, true)];
  let checkedAfterEnd = false;
  for (let t = 0; t < steps; t++) {
    const result = env.step(actions[t]);
    checkStep(observationSpace, result, t);
    trajectory.push(record(result.observation, result.reward, result.terminated, result.truncated, false));
    if (result.terminated || result.truncated) {
      report.episodesEnded++;
      if (!checkedAfterEnd) {
        expectThrows(() => env.step(actions[t]), 'step_after_end', `step() after the episode ended at step ${t}`);
        checkedAfterEnd = true;
      }
      const next = env.reset();
      checkObservation(observationSpace, next.observation, `reset() after step ${t}`);
      checkInfo(next.info, `reset() after step ${t}`);
      trajectory.push(record(next.observation, 0, false, false, true));
    }
  }
  report.passed.push(`${steps} random steps return observations in the space, finite rewards, boolean flags and info objects`);

  if (!checkedAfterEnd) {
    const limit = maxSearchSteps ?? (env.spec?.maxEpisodeSteps ? env.spec.maxEpisodeSteps + 1 : 10_000);
    let ended = false;
    for (let t = 0; t < limit && !ended; t++) {
      const result = env.step(actionSpace.sample());
      checkStep(observationSpace, result, steps + t);
      ended = result.terminated || result.truncated;
    }
    if (ended) {
      report.episodesEnded++;
      expectThrows(() => env.step(actionSpace.sample()), 'step_after_end', 'step() after the episode ended');
      checkedAfterEnd = true;
    } else report.skipped.push(`no episode ended within ${limit} steps, so step-after-end was not checked`);
  }
  if (checkedAfterEnd) report.passed.push('step() after the end throws step_after_end');

  // Determinism: a fresh env (or the restored initial state) with the same seed and actions.
  const replay = factory ? factory() : env;
  if (!factory) restoreEnvState(env, initialState!);
  const again = replay.reset({ seed });
  compare(trajectory[0]!, record(again.observation, 0, false, false, true), 'the first reset');
  let index = 1;
  for (let t = 0; t < steps; t++) {
    const result = replay.step(actions[t]);
    compare(trajectory[index++]!, record(result.observation, result.reward, result.terminated, result.truncated, false), `step ${t}`);
    if (result.terminated || result.truncated) {
      const next = replay.reset();
      compare(trajectory[index++]!, record(next.observation, 0, false, false, true), `the reset after step ${t}`);
    }
  }
  report.passed.push(`the same seed reproduces the same ${steps}-step trajectory (${factory ? 'two fresh envs' : 'restored initial state'})`);
  if (factory) replay.close();
}

function fail(message: string): never {
  throw new CheckFailure(message);
}

function expectThrows(fn: () => unknown, code: string, what: string): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof PlasticdError && error.code === code) return error;
    const got = error instanceof PlasticdError ? `PlasticdError(${error.code}): ${error.message}` : String(error);
    fail(`${what} should throw PlasticdError('${code}') but threw ${got}`);
  }
  fail(`${what} should throw PlasticdError('${code}') but did not throw`);
}

function isSpace(space: unknown): space is Space<unknown> {
  const s = space as Space<unknown>;
  return typeof s === 'object' && s !== null && typeof s.contains === 'function' && typeof s.sample === 'function' && typeof s.seed === 'function';
}

function checkObservation(space: Space<unknown>, observation: unknown, where: string): void {
  if (!space.contains(observation)) fail(`the observation from ${where}, ${describe(observation)}, is not in the observation space ${String(space)}`);
}

function checkInfo(info: unknown, where: string): void {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(`info from ${where} must be a plain object, got ${describe(info)}`);
}

function checkStep(space: Space<unknown>, result: { observation: unknown; reward: unknown; terminated: unknown; truncated: unknown; info: Info }, t: number): void {
  checkObservation(space, result.observation, `step ${t}`);
  if (typeof result.reward !== 'number' || !Number.isFinite(result.reward)) fail(`the reward at step ${t} must be a finite number, got ${describe(result.reward)}`);
  if (typeof result.terminated !== 'boolean') fail(`terminated at step ${t} must be a boolean, got ${describe(result.terminated)}`);
  if (typeof result.truncated !== 'boolean') fail(`truncated at step ${t} must be a boolean, got ${describe(result.truncated)}`);
  checkInfo(result.info, `step ${t}`);
}

/** An action that must be rejected: outside a discrete space, or a Box action of the wrong shape. */
function badAction(space: Space<unknown>): unknown {
  if (space instanceof Discrete) return space.start + space.n;
  if (space instanceof MultiDiscrete) {
    const a = Int32Array.from(space.start);
    a[0] = space.start[0]! + space.nvec[0]!;
    return a;
  }
  // Box envs clip out-of-range values themselves (as Gymnasium's do), so a malformed Box action is
  // one of the wrong length.
  if (space instanceof Box) return new Float32Array(space.size + 1);
  return undefined;
}

function record(observation: unknown, reward: number, terminated: boolean, truncated: boolean, reset: boolean): Transition {
  const obs = typeof observation === 'number' ? [observation] : Array.from(observation as ArrayLike<number>);
  return { observation: obs, reward, terminated, truncated, reset };
}

function compare(expected: Transition, actual: Transition, where: string): void {
  const same =
    expected.reward === actual.reward &&
    expected.terminated === actual.terminated &&
    expected.truncated === actual.truncated &&
    expected.observation.length === actual.observation.length &&
    expected.observation.every((v, i) => Object.is(v, actual.observation[i]));
  if (!same) {
    fail(
      `the same seed and actions gave a different result at ${where}: first run ${JSON.stringify(expected)}, second run ${JSON.stringify(actual)}` +
        ' (is some state, e.g. an RNG or schedule, not reset by reset({seed}) or not captured by envState()?)',
    );
  }
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return `${value.constructor.name} [${Array.from(value as unknown as ArrayLike<number>).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
