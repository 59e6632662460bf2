/**
 * Runs a resolved experiment: a pool of worker threads (run-worker.ts) takes the unfinished runs in
 * order; each run lives in an AgentDirectory under `<out>/runs` (so `<out>/runs` is a daemon data dir:
 * spec.json, the daemon's run log, rotated atomic checkpoints) plus a `done.json` marker when it ends.
 * Checkpoints every `checkpointEverySeconds` and on interrupt (abort signal); a later invocation skips
 * done runs and resumes the others from their last checkpoint with the log cut back to it, exactly as
 * the daemon resumes an agent. `experiment.json` pins the resolved config. A run whose resolved spec
 * (or the run length) differs from the stored one is refused (results are never mixed) unless
 * `restart`, which clears the outputs first. Everything else may change between invocations: new
 * seeds or methods add runs, and report phases, metrics or texts only redraw the report.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../daemon/store/atomic-file.ts';
import { PlasticdError } from '../util/errors.ts';
import { silentProgress } from './progress.ts';
import type { ProgressReporter } from './progress.ts';
import type { ResolvedExperiment, ResolvedRun } from './resolve.ts';
import { DONE_FILE, RUNS_DIRECTORY, RunThread, executeRun, readDoneMarker, runDirectory } from './run-executor.ts';
import type { DoneMarker, RunExecutionResult } from './run-executor.ts';

export { DONE_FILE, RUNS_DIRECTORY, readDoneMarker, runDirectory };
export type { DoneMarker };

export const EXPERIMENT_FILE = 'experiment.json';
export const TIMING_FILE = 'timing.json';
/** Everything the runner and the report write into the output folder (what --restart clears). */
export const OUTPUT_NAMES = [EXPERIMENT_FILE, RUNS_DIRECTORY, 'plots', 'summary.csv', 'report.md', TIMING_FILE] as const;

export interface ExperimentRunOptions {
  experiment: ResolvedExperiment;
  outDir: string;
  /** Worker threads. Default os.availableParallelism(). */
  workers?: number;
  /** Clear earlier outputs and start over (also when experiment.json differs). */
  restart?: boolean;
  /** Seconds between checkpoints of each running run. Default 60. */
  checkpointEverySeconds?: number;
  /** Aborting checkpoints every running run and stops (Ctrl-C). */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** Target wall time of one training chunk in a worker, ms. Default 50. */
  chunkMs?: number;
  /** Called after each checkpoint is written (tests interrupt on it). */
  onCheckpoint?: (runId: string, step: number) => void;
}

export type RunOutcome = 'finished' | 'failed' | 'interrupted';

export interface ExperimentRunResult {
  status: 'complete' | 'interrupted';
  runs: number;
  finished: string[];
  failed: string[];
  /** Runs with work left (interrupted or never started). */
  unfinished: string[];
  /** Wall seconds of this invocation. */
  seconds: number;
}

/** The first path where two JSON values differ, for the "config changed" message. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return path || '(root)';
}

/**
 * Where `current` would mix its results with the stored resolution's: a different run length, or a
 * run id both hold with a different resolved run (spec, grid values, seed). A spec's `description` is a
 * label that changes no result, so rewording it keeps the runs. Null when every stored result stays valid.
 */
export function incompatibility(stored: unknown, current: ResolvedExperiment): string | null {
  const old = stored as Partial<ResolvedExperiment>;
  if (old.formatVersion !== current.formatVersion) return 'formatVersion';
  if (old.steps !== current.steps) return 'steps';
  const storedRuns = new Map((old.runs ?? []).map((run) => [run.id, run]));
  for (const run of current.runs) {
    const before = storedRuns.get(run.id);
    if (!before) continue;
    const difference = firstDifference(withoutSpecDescription(before), withoutSpecDescription(JSON.parse(JSON.stringify(run)) as ResolvedRun), `runs['${run.id}']`);
    if (difference !== null) return difference;
  }
  return null;
}

function withoutSpecDescription(run: ResolvedRun): unknown {
  if (typeof run.spec !== 'object' || run.spec === null) return run;
  const { description: _description, ...spec } = run.spec;
  return { ...run, spec };
}

/** Prepares the output folder: clears it on restart, refuses runs that would mix results, writes experiment.json. */
export async function prepareOutput(outDir: string, experiment: ResolvedExperiment, restart: boolean): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, EXPERIMENT_FILE);
  if (restart) {
    for (const name of OUTPUT_NAMES) await rm(join(outDir, name), { recursive: true, force: true });
  } else if (existsSync(path)) {
    const stored = JSON.parse(await readFile(path, 'utf8')) as unknown;
    const difference = incompatibility(stored, experiment);
    if (difference !== null) {
      throw new PlasticdError(
        'experiment_changed',
        `${outDir} holds results of a different configuration (${EXPERIMENT_FILE} differs at '${difference}'); ` +
          'mixing them would corrupt the comparison. Use another --out folder, or --restart to delete these results and start over.',
      );
    }
  }
  await writeFileAtomic(path, `${JSON.stringify(experiment, null, 2)}\n`);
}

/** Runs every unfinished run of the experiment; resolves when all are done or the signal stopped them. */
export async function runExperiment(options: ExperimentRunOptions): Promise<ExperimentRunResult> {
  const started = performance.now();
  const { experiment, outDir } = options;
  const progress = options.progress ?? silentProgress;
  await prepareOutput(outDir, experiment, options.restart ?? false);

  const finished: string[] = [];
  const failed: string[] = [];
  const queue: ResolvedRun[] = [];
  let doneSteps = 0;
  for (const run of experiment.runs) {
    const marker = await readDoneMarker(outDir, run.id);
    if (marker === null) queue.push(run);
    else {
      (marker.status === 'finished' ? finished : failed).push(run.id);
      doneSteps += experiment.steps;
    }
  }
  const timing = await loadTiming(outDir);
  progress.begin({ runs: experiment.runs.length, finishedRuns: experiment.runs.length - queue.length, steps: experiment.runs.length * experiment.steps, doneSteps });

  const runOne = async (thread: RunThread, run: ResolvedRun): Promise<RunOutcome> => {
    const runStarted = performance.now();
    let result: RunExecutionResult | null = null;
    try {
      result = await executeRun(thread, {
        outDir,
        run,
        steps: experiment.steps,
        checkpointEverySeconds: options.checkpointEverySeconds ?? 60,
        ...(options.chunkMs !== undefined ? { chunkMs: options.chunkMs } : {}),
        ...(options.signal ? { interrupt: options.signal } : {}),
        observer: {
          started: (atStep) => progress.runStarted(run.id, experiment.steps, atStep),
          progressed: (steps) => progress.runProgress(run.id, steps),
          checkpointed: (step) => options.onCheckpoint?.(run.id, step),
          log: (message) => progress.log(message),
        },
      });
    } finally {
      await recordTiming(outDir, timing, run.id, (performance.now() - runStarted) / 1000, result?.steps ?? 0).catch((error: unknown) => progress.log(`${run.id}: writing timing.json failed: ${(error as Error).message}`));
    }
    const outcome = result.outcome === 'abandoned' ? 'interrupted' : result.outcome;
    progress.runEnded(run.id, outcome, result.detail);
    return outcome;
  };

  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), queue.length));
  const stopping = () => options.signal?.aborted ?? false;
  const serve = async (): Promise<void> => {
    if (queue.length === 0 || stopping()) return;
    let thread: RunThread;
    try {
      thread = await RunThread.start();
    } catch (error) {
      progress.log(`a worker failed to start: ${(error as Error).message}`);
      return;
    }
    try {
      while (queue.length > 0 && !stopping()) {
        const run = queue.shift()!;
        const outcome = await runOne(thread, run);
        if (outcome === 'finished') finished.push(run.id);
        else if (outcome === 'failed') {
          if ((await readDoneMarker(outDir, run.id)) === null) break; // no marker: a crash, not the run's own failure; it reruns next time
          failed.push(run.id);
        }
      }
    } catch (error) {
      progress.log(`a worker failed: ${(error as Error).message}`);
    } finally {
      await thread.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: workerCount }, serve));
  } finally {
    progress.end();
    await saveTiming(outDir, timing, started);
  }
  return experimentResult(experiment, finished, failed, started);
}

/** The invocation's result, runs in the experiment's order; `started` is its performance.now(). */
export function experimentResult(experiment: ResolvedExperiment, finished: readonly string[], failed: readonly string[], started: number): ExperimentRunResult {
  const ids = experiment.runs.map((run) => run.id);
  const done = new Set([...finished, ...failed]);
  const unfinished = ids.filter((id) => !done.has(id));
  return {
    status: unfinished.length === 0 ? 'complete' : 'interrupted',
    runs: ids.length,
    finished: ids.filter((id) => finished.includes(id)),
    failed: ids.filter((id) => failed.includes(id)),
    unfinished,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Adds the invocation's wall time (since `started`, a performance.now()) and writes timing.json. */
export async function saveTiming(outDir: string, timing: Timing, started: number): Promise<void> {
  timing.totalSeconds = round((timing.totalSeconds ?? 0) + (performance.now() - started) / 1000);
  await writeTiming(outDir, timing);
}

export interface Timing {
  /** Wall seconds per run, summed over invocations. */
  runs: Record<string, { seconds: number; steps: number }>;
  totalSeconds?: number;
}

/**
 * Adds one invocation's wall time to a run's entry and writes timing.json at once, so an invocation
 * that is killed keeps the times of the runs it saw end.
 */
export async function recordTiming(outDir: string, timing: Timing, runId: string, seconds: number, steps: number): Promise<void> {
  const entry = timing.runs[runId] ?? { seconds: 0, steps: 0 };
  entry.seconds = round(entry.seconds + seconds);
  entry.steps = Math.max(entry.steps, steps);
  timing.runs[runId] = entry;
  await writeTiming(outDir, timing);
}

/** Pending timing.json writes per path: each serializes the timing when its turn comes, so the last write holds every entry. */
const timingWrites = new Map<string, Promise<void>>();

function writeTiming(outDir: string, timing: Timing): Promise<void> {
  const path = join(outDir, TIMING_FILE);
  const write = (timingWrites.get(path) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      await writeFileAtomic(path, `${JSON.stringify(timing, null, 2)}\n`);
    });
  timingWrites.set(path, write);
  const forget = () => {
    if (timingWrites.get(path) === write) timingWrites.delete(path);
  };
  write.then(forget, forget);
  return write;
}

export async function loadTiming(outDir: string): Promise<Timing> {
  try {
    const parsed = JSON.parse(await readFile(join(outDir, TIMING_FILE), 'utf8')) as Timing;
    return { runs: parsed.runs ?? {}, totalSeconds: parsed.totalSeconds ?? 0 };
  } catch {
    return { runs: {}, totalSeconds: 0 };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
