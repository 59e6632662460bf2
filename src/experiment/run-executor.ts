/**
 * Runs one resolved run to its step count in a run thread (run-worker.ts), durably: the run lives in an
 * AgentDirectory under `<out>/runs` (spec.json, the daemon's run log, rotated atomic checkpoints) plus a
 * `done.json` marker when it ends. It resumes from the directory's last checkpoint (the log cut back to
 * it, exactly as the daemon resumes an agent), checkpoints every `checkpointEverySeconds`, and stops in
 * one of two ways: `interrupt` checkpoints first (Ctrl-C, a worker shutting down), `abandon` writes
 * nothing more (the run's queue lease was lost: another worker owns the directory now).
 * Both the one-machine runner (runner.ts) and the queue worker (src/queue/queue-worker.ts) use it, so a
 * run's files are the same whoever ran it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AgentDirectory } from '../daemon/store/agent-directory.ts';
import type { AgentDirectoryOptions } from '../daemon/store/agent-directory.ts';
import { writeFileAtomic } from '../daemon/store/atomic-file.ts';
import type { RunCounters } from '../run/agent-run.ts';
import type { RunEvent } from '../run/events.ts';
import { PlasticdError } from '../util/errors.ts';
import { tsxWorkerSource } from '../util/tsx-worker.ts';
import type { ResolvedRun } from './resolve.ts';
import type { RunWorkerMessage, RunWorkerRequest } from './run-worker.ts';

export const RUNS_DIRECTORY = 'runs';
export const DONE_FILE = 'done.json';

export type RunOutcome = 'finished' | 'failed' | 'interrupted' | 'abandoned';

export interface DoneMarker {
  status: 'finished' | 'failed';
  steps: number;
  /** For failed runs: the error code and message. */
  error?: { code: string; message: string };
}

/** What a checkpoint file holds besides the run's own state: the supervisor's CheckpointPayload, so the daemon can resume it. */
interface CheckpointPayload {
  formatVersion: 1;
  run: unknown;
  exporter: null;
  lifecycle: { paused: boolean; learningRate: number | null };
}

export interface RunObserver {
  started?(atStep: number): void;
  progressed?(steps: number): void;
  /** The run's events as they are appended to its run log (units events are never sent). */
  events?(events: readonly RunEvent[]): void;
  checkpointed?(step: number): void;
  log?(message: string): void;
}

export interface RunExecution {
  /** The experiment's output folder; the run lives in runDirectory(outDir, run.id). */
  outDir: string;
  run: Pick<ResolvedRun, 'id' | 'spec'>;
  /** The run's length in steps. */
  steps: number;
  checkpointEverySeconds: number;
  /** Target wall time of one training chunk in the thread, ms. Default 50. */
  chunkMs?: number;
  /** Checkpoint, then stop. */
  interrupt?: AbortSignal;
  /** Stop at once and write nothing more. */
  abandon?: AbortSignal;
  /** How the run's directory is opened (e.g. taking over a lock the queue says is ours). */
  directory?: AgentDirectoryOptions;
  observer?: RunObserver;
}

export interface RunExecutionResult {
  outcome: RunOutcome;
  detail?: string;
  /** Steps done when it ended. */
  steps: number;
  /** Step it started from (its checkpoint's). */
  fromStep: number;
}

const WORKER_BOOTSTRAP = tsxWorkerSource(new URL('./run-worker.ts', import.meta.url).href);

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

/** A worker thread that runs one run at a time, many in turn (modules and the tfjs backend load once). */
export class RunThread {
  private constructor(readonly worker: Worker) {}

  static async start(): Promise<RunThread> {
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true });
    try {
      await waitReady(worker);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new RunThread(worker);
  }

  /** Asks the thread to exit, then terminates it if it has not within two seconds. */
  async close(): Promise<void> {
    try {
      this.worker.postMessage({ type: 'exit' } satisfies RunWorkerRequest);
    } catch {
      // already gone
    }
    await Promise.race([new Promise((resolve) => this.worker.once('exit', resolve)), sleep(2000)]);
    await this.worker.terminate();
  }
}

type CheckpointReply = Extract<RunWorkerMessage, { type: 'checkpoint' }>;

let nextRequestId = 1;

/** Runs (or resumes) one run in `thread` until it finishes, fails, or is interrupted or abandoned. */
export async function executeRun(thread: RunThread, execution: RunExecution): Promise<RunExecutionResult> {
  const { run, observer = {} } = execution;
  const worker = thread.worker;
  const dir = await AgentDirectory.open(join(execution.outDir, RUNS_DIRECTORY), run.id, execution.directory);
  let steps = 0;
  let fromStep = 0;
  let abandoned = false;
  let halting = false;
  let checkpointing = false;
  /** Checkpoint and marker writes, in order. */
  let writes: Promise<void> = Promise.resolve();
  const requests = new Map<number, (message: CheckpointReply | null) => void>();
  let settle!: (outcome: RunOutcome, detail?: string) => void;
  const ended = new Promise<{ outcome: RunOutcome; detail?: string }>((resolve) => {
    let done = false;
    settle = (outcome, detail) => {
      if (done) return;
      done = true;
      resolve({ outcome, detail });
    };
  });
  const enqueueWrite = (write: () => Promise<void>): Promise<void> => {
    writes = writes.then(() => (abandoned ? undefined : write()));
    return writes;
  };
  const writeCheckpoint = async (state: unknown, counters: RunCounters): Promise<void> => {
    const payload: CheckpointPayload = { formatVersion: 1, run: state, exporter: null, lifecycle: { paused: false, learningRate: null } };
    const eventSeq = Math.min(counters.nextSeq - 1, dir.runLog.lastSeq);
    await dir.checkpoint(payload, { step: counters.steps, eventSeq });
    observer.checkpointed?.(counters.steps);
  };
  const requestCheckpoint = async (haltAfter: boolean): Promise<boolean> => {
    const requestId = nextRequestId++;
    const reply = new Promise<CheckpointReply | null>((resolve) => requests.set(requestId, resolve));
    worker.postMessage({ type: 'checkpoint', requestId, halt: haltAfter } satisfies RunWorkerRequest);
    const message = await reply;
    if (message === null) return false; // the run ended first
    await enqueueWrite(() => writeCheckpoint(message.state, message.counters));
    return true;
  };
  const answerPending = () => {
    for (const resolve of requests.values()) resolve(null);
    requests.clear();
  };
  const halt = async (): Promise<void> => {
    if (halting) return;
    halting = true;
    try {
      if (await requestCheckpoint(true)) settle(abandoned ? 'abandoned' : 'interrupted');
    } catch (error) {
      settle('interrupted', `checkpoint failed: ${(error as Error).message}`);
    }
  };
  let stopped: Promise<void> = Promise.resolve();
  const abandon = (): void => {
    abandoned = true; // nothing more reaches the directory: the log, checkpoints and the marker are another worker's now
    settle('abandoned', 'the run was handed to another worker');
    stopped = halt(); // stops the thread's run; the snapshot it sends is dropped
  };

  const onMessage = (message: RunWorkerMessage): void => {
    if ('runId' in message && message.runId !== run.id) return;
    switch (message.type) {
      case 'events':
        if (abandoned) return;
        for (const event of message.events) if (event.seq > dir.runLog.lastSeq) dir.runLog.append(event);
        observer.events?.(message.events);
        steps = message.counters.steps;
        observer.progressed?.(steps);
        break;
      case 'checkpoint':
        requests.get(message.requestId)?.(message);
        requests.delete(message.requestId);
        break;
      case 'finished': {
        answerPending();
        steps = message.counters.steps;
        observer.progressed?.(steps);
        const marker: DoneMarker = { status: 'finished', steps: message.counters.steps };
        void enqueueWrite(async () => {
          await writeCheckpoint(message.state, message.counters);
          await writeFileAtomic(join(dir.path, DONE_FILE), `${JSON.stringify(marker)}\n`);
        }).then(
          () => settle(abandoned ? 'abandoned' : 'finished'),
          (error: unknown) => settle('failed', `final checkpoint failed: ${(error as Error).message}`),
        );
        break;
      }
      case 'failed': {
        answerPending();
        const marker: DoneMarker = { status: 'failed', steps, error: { code: message.code, message: message.message } };
        const detail = `${message.code}: ${message.message}`;
        void enqueueWrite(async () => {
          await dir.runLog.sync();
          await writeFileAtomic(join(dir.path, DONE_FILE), `${JSON.stringify(marker)}\n`);
        }).then(
          () => settle('failed', detail),
          () => settle('failed', detail),
        );
        break;
      }
      case 'ready':
        break;
    }
  };
  const onCrash = (error: Error) => {
    answerPending();
    settle('failed', `worker crashed: ${error.message}`);
  };

  let timer: NodeJS.Timeout | null = null;
  try {
    await dir.writeSpec(run.spec);
    const point = await dir.resume();
    const payload = point.checkpoint?.payload as CheckpointPayload | undefined;
    fromStep = point.checkpoint?.entry.step ?? 0;
    steps = fromStep;
    worker.on('message', onMessage);
    worker.on('error', onCrash);
    observer.started?.(fromStep);
    const everyMs = Math.max(0.01, execution.checkpointEverySeconds) * 1000;
    timer = setInterval(() => {
      if (checkpointing || halting) return;
      checkpointing = true;
      requestCheckpoint(false)
        .catch((error: unknown) => observer.log?.(`${run.id}: checkpoint failed: ${(error as Error).message}`))
        .finally(() => {
          checkpointing = false;
        });
    }, everyMs);
    worker.postMessage({
      type: 'start',
      runId: run.id,
      spec: run.spec,
      restore: payload?.run ?? null,
      steps: execution.steps,
      ...(execution.chunkMs !== undefined ? { chunkMs: execution.chunkMs } : {}),
    } satisfies RunWorkerRequest);
    const onInterrupt = () => void halt();
    execution.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    execution.abandon?.addEventListener('abort', abandon, { once: true });
    if (execution.abandon?.aborted) abandon();
    else if (execution.interrupt?.aborted) void halt();
    const end = await ended;
    execution.interrupt?.removeEventListener('abort', onInterrupt);
    execution.abandon?.removeEventListener('abort', abandon);
    // An abandoned run waits for its thread to stop (after its current chunk), so the thread is free for the next run.
    await Promise.race([stopped, sleep(10_000)]);
    await writes.catch(() => undefined);
    return { outcome: end.outcome, ...(end.detail !== undefined ? { detail: end.detail } : {}), steps, fromStep };
  } finally {
    if (timer !== null) clearInterval(timer);
    worker.off('message', onMessage);
    worker.off('error', onCrash);
    if (abandoned) await dir.abandon();
    else await dir.close();
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
