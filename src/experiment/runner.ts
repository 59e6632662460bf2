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
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AgentDirectory } from '../daemon/store/agent-directory.ts';
import { writeFileAtomic } from '../daemon/store/atomic-file.ts';
import type { RunCounters } from '../run/agent-run.ts';
import { PlasticdError } from '../util/errors.ts';
import { silentProgress } from './progress.ts';
import type { ProgressReporter } from './progress.ts';
import type { ResolvedExperiment, ResolvedRun } from './resolve.ts';
import type { RunWorkerMessage, RunWorkerRequest } from './run-worker.ts';

export const EXPERIMENT_FILE = 'experiment.json';
export const RUNS_DIRECTORY = 'runs';
export const DONE_FILE = 'done.json';
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

export interface DoneMarker {
  status: 'finished' | 'failed';
  steps: number;
  /** For failed runs: the error code and message. */
  error?: { code: string; message: string };
}

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

/** What a checkpoint file holds besides the run's own state: the supervisor's CheckpointPayload, so the daemon can resume it. */
interface CheckpointPayload {
  formatVersion: 1;
  run: unknown;
  exporter: null;
  lifecycle: { paused: boolean; learningRate: number | null };
}

const RUN_WORKER_URL = new URL('./run-worker.ts', import.meta.url).href;
/** As the supervisor does: a worker's own entry module needs tsx's hooks registered first (Node 20). */
const WORKER_BOOTSTRAP = `Promise.all([import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}), import(${JSON.stringify(import.meta.resolve('tsx/cjs/api'))})])
  .then(([esm, cjs]) => { esm.register(); cjs.register(); return import(${JSON.stringify(RUN_WORKER_URL)}); })
  .catch((error) => { setImmediate(() => { throw error; }); });`;

export function runDirectory(outDir: string, runId: string): string {
  return join(outDir, RUNS_DIRECTORY, 'agents', runId);
}

export async function readDoneMarker(outDir: string, runId: string): Promise<DoneMarker | null> {
  try {
    return JSON.parse(await readFile(join(runDirectory(outDir, runId), DONE_FILE), 'utf8')) as DoneMarker;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
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
 * run id both hold with a different resolved run (spec, grid values, seed). Null when every stored
 * result stays valid.
 */
export function incompatibility(stored: unknown, current: ResolvedExperiment): string | null {
  const old = stored as Partial<ResolvedExperiment>;
  if (old.formatVersion !== current.formatVersion) return 'formatVersion';
  if (old.steps !== current.steps) return 'steps';
  const storedRuns = new Map((old.runs ?? []).map((run) => [run.id, run]));
  for (const run of current.runs) {
    const before = storedRuns.get(run.id);
    if (!before) continue;
    const difference = firstDifference(before, JSON.parse(JSON.stringify(run)) as unknown, `runs['${run.id}']`);
    if (difference !== null) return difference;
  }
  return null;
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

interface Job {
  run: ResolvedRun;
  dir: AgentDirectory;
  worker: Worker;
  steps: number;
  requests: Map<number, (message: Extract<RunWorkerMessage, { type: 'checkpoint' }> | null) => void>;
  /** Checkpoint and marker writes, in order. */
  writes: Promise<void>;
  checkpointing: boolean;
  halting: boolean;
  settle: (outcome: RunOutcome, detail?: string) => void;
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

  let stopping = options.signal?.aborted ?? false;
  const active = new Set<Job>();
  const onAbort = () => {
    stopping = true;
    for (const job of active) void halt(job);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let nextRequestId = 1;
  const everyMs = Math.max(0.01, options.checkpointEverySeconds ?? 60) * 1000;

  const writeCheckpoint = async (job: Job, state: unknown, counters: RunCounters): Promise<void> => {
    const payload: CheckpointPayload = { formatVersion: 1, run: state, exporter: null, lifecycle: { paused: false, learningRate: null } };
    const eventSeq = Math.min(counters.nextSeq - 1, job.dir.runLog.lastSeq);
    await job.dir.checkpoint(payload, { step: counters.steps, eventSeq });
    options.onCheckpoint?.(job.run.id, counters.steps);
  };
  const enqueueWrite = (job: Job, write: () => Promise<void>): Promise<void> => {
    job.writes = job.writes.then(write);
    return job.writes;
  };
  const requestCheckpoint = async (job: Job, haltAfter: boolean): Promise<boolean> => {
    const requestId = nextRequestId++;
    const reply = new Promise<Extract<RunWorkerMessage, { type: 'checkpoint' }> | null>((resolve) => job.requests.set(requestId, resolve));
    job.worker.postMessage({ type: 'checkpoint', requestId, halt: haltAfter } satisfies RunWorkerRequest);
    const message = await reply;
    if (message === null) return false; // the run ended first
    await enqueueWrite(job, () => writeCheckpoint(job, message.state, message.counters));
    return true;
  };
  async function halt(job: Job): Promise<void> {
    if (job.halting) return;
    job.halting = true;
    try {
      if (await requestCheckpoint(job, true)) job.settle('interrupted');
    } catch (error) {
      job.settle('interrupted', `checkpoint failed: ${(error as Error).message}`);
    }
  }

  const runOne = async (worker: Worker, run: ResolvedRun): Promise<RunOutcome> => {
    const dir = await AgentDirectory.open(join(outDir, RUNS_DIRECTORY), run.id);
    const runStarted = performance.now();
    let outcome: RunOutcome = 'interrupted';
    let detail: string | undefined;
    let steps = 0;
    try {
      await dir.writeSpec(run.spec);
      const point = await dir.resume();
      const payload = point.checkpoint?.payload as CheckpointPayload | undefined;
      const atStep = point.checkpoint?.entry.step ?? 0;
      let settle!: (outcome: RunOutcome, detail?: string) => void;
      const ended = new Promise<{ outcome: RunOutcome; detail?: string }>((resolve) => {
        settle = (outcome, detail) => resolve({ outcome, detail });
      });
      const job: Job = { run, dir, worker, steps: atStep, requests: new Map(), writes: Promise.resolve(), checkpointing: false, halting: false, settle };
      const listener = (message: RunWorkerMessage) => handleMessage(job, message);
      const crash = (error: Error) => job.settle('failed', `worker crashed: ${error.message}`);
      worker.on('message', listener);
      worker.on('error', crash);
      active.add(job);
      progress.runStarted(run.id, experiment.steps, atStep);
      const timer = setInterval(() => {
        if (job.checkpointing || job.halting) return;
        job.checkpointing = true;
        requestCheckpoint(job, false)
          .catch((error: unknown) => progress.log(`${run.id}: checkpoint failed: ${(error as Error).message}`))
          .finally(() => {
            job.checkpointing = false;
          });
      }, everyMs);
      worker.postMessage({ type: 'start', runId: run.id, spec: run.spec, restore: payload?.run ?? null, steps: experiment.steps, ...(options.chunkMs !== undefined ? { chunkMs: options.chunkMs } : {}) } satisfies RunWorkerRequest);
      if (stopping) void halt(job);
      const end = await ended;
      clearInterval(timer);
      await job.writes.catch(() => undefined);
      worker.off('message', listener);
      worker.off('error', crash);
      active.delete(job);
      outcome = end.outcome;
      detail = end.detail;
      steps = job.steps;
    } finally {
      await dir.close();
      const entry = timing.runs[run.id] ?? { seconds: 0, steps: 0 };
      entry.seconds = round(entry.seconds + (performance.now() - runStarted) / 1000);
      entry.steps = Math.max(entry.steps, steps);
      timing.runs[run.id] = entry;
    }
    progress.runEnded(run.id, outcome, detail);
    return outcome;
  };

  function handleMessage(job: Job, message: RunWorkerMessage): void {
    if ('runId' in message && message.runId !== job.run.id) return;
    switch (message.type) {
      case 'events':
        for (const event of message.events) if (event.seq > job.dir.runLog.lastSeq) job.dir.runLog.append(event);
        job.steps = message.counters.steps;
        progress.runProgress(job.run.id, job.steps);
        break;
      case 'checkpoint':
        job.requests.get(message.requestId)?.(message);
        job.requests.delete(message.requestId);
        break;
      case 'finished': {
        for (const resolve of job.requests.values()) resolve(null);
        job.requests.clear();
        job.steps = message.counters.steps;
        progress.runProgress(job.run.id, job.steps);
        const marker: DoneMarker = { status: 'finished', steps: message.counters.steps };
        void enqueueWrite(job, async () => {
          await writeCheckpoint(job, message.state, message.counters);
          await writeFileAtomic(join(job.dir.path, DONE_FILE), `${JSON.stringify(marker)}\n`);
        }).then(
          () => job.settle('finished'),
          (error: unknown) => job.settle('failed', `final checkpoint failed: ${(error as Error).message}`),
        );
        break;
      }
      case 'failed': {
        for (const resolve of job.requests.values()) resolve(null);
        job.requests.clear();
        const marker: DoneMarker = { status: 'failed', steps: job.steps, error: { code: message.code, message: message.message } };
        void enqueueWrite(job, async () => {
          await job.dir.runLog.sync();
          await writeFileAtomic(join(job.dir.path, DONE_FILE), `${JSON.stringify(marker)}\n`);
        }).then(
          () => job.settle('failed', `${message.code}: ${message.message}`),
          () => job.settle('failed', `${message.code}: ${message.message}`),
        );
        break;
      }
      case 'ready':
        break;
    }
  }

  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), queue.length));
  const crashed: string[] = [];
  const serve = async (): Promise<void> => {
    if (queue.length === 0 || stopping) return;
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true });
    try {
      await waitReady(worker);
      while (queue.length > 0 && !stopping) {
        const run = queue.shift()!;
        const outcome = await runOne(worker, run);
        if (outcome === 'finished') finished.push(run.id);
        else if (outcome === 'failed') {
          if ((await readDoneMarker(outDir, run.id)) === null) {
            crashed.push(run.id); // no marker: a crash, not the run's own failure; it reruns next time
            break;
          }
          failed.push(run.id);
        }
      }
    } catch (error) {
      progress.log(`a worker failed to start: ${(error as Error).message}`);
    } finally {
      worker.postMessage({ type: 'exit' } satisfies RunWorkerRequest);
      await Promise.race([new Promise((resolve) => worker.once('exit', resolve)), sleep(2000)]);
      await worker.terminate();
    }
  };
  try {
    await Promise.all(Array.from({ length: workerCount }, serve));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    progress.end();
    timing.totalSeconds = round((timing.totalSeconds ?? 0) + (performance.now() - started) / 1000);
    await writeFile(join(outDir, TIMING_FILE), `${JSON.stringify(timing, null, 2)}\n`);
  }
  const done = new Set([...finished, ...failed]);
  const unfinished = experiment.runs.map((run) => run.id).filter((id) => !done.has(id));
  return {
    status: unfinished.length === 0 ? 'complete' : 'interrupted',
    runs: experiment.runs.length,
    finished: experiment.runs.map((run) => run.id).filter((id) => finished.includes(id)),
    failed: experiment.runs.map((run) => run.id).filter((id) => failed.includes(id)),
    unfinished,
    seconds: (performance.now() - started) / 1000,
  };
}

interface Timing {
  /** Wall seconds per run, summed over invocations. */
  runs: Record<string, { seconds: number; steps: number }>;
  totalSeconds?: number;
}

async function loadTiming(outDir: string): Promise<Timing> {
  try {
    const parsed = JSON.parse(await readFile(join(outDir, TIMING_FILE), 'utf8')) as Timing;
    return { runs: parsed.runs ?? {}, totalSeconds: parsed.totalSeconds ?? 0 };
  } catch {
    return { runs: {}, totalSeconds: 0 };
  }
}

function waitReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: RunWorkerMessage) => {
      if (message.type === 'ready') {
        cleanup();
        resolve();
      } else if (message.type === 'failed' && message.runId === null) {
        cleanup();
        reject(new PlasticdError(message.code, message.message));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
