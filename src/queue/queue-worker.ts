/**
 * A queue worker: takes run jobs from the BullMQ queue (`concurrency` at a time, one run thread each)
 * and runs them with the same executor as a one-machine experiment, in the run's folder on shared
 * storage. Failover is BullMQ's stalled-job recovery: a worker renews its jobs' locks every
 * lockSeconds/2; when it dies the locks expire, another worker's stalled check puts the jobs back in
 * the queue, and whoever takes one resumes the run from its last checkpoint (the run log cut back to
 * it), so no window is lost or written twice. A worker that finds it lost a lock stops that run at
 * once without writing (the new owner has the folder). On close (SIGTERM) every running run
 * checkpoints and its job goes back to the queue for another worker.
 */
import { UnrecoverableError, WaitingError } from 'bullmq';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { executeRun, readDoneMarker } from '../experiment/run-executor.ts';
import type { RunExecutionResult, RunThread } from '../experiment/run-executor.ts';
import type { ResolvedRun } from '../experiment/resolve.ts';
import type { RedisTarget } from './redis-target.ts';
import { startBullWorker } from './bull-worker.ts';
import { RUN_QUEUE, RunJobDataSchema } from './run-jobs.ts';
import type { RunJobData, RunJobProgress, RunJobResult } from './run-jobs.ts';
import { RunThreadPool } from './run-thread-pool.ts';
import type { WorkerMetrics, WorkerRunOutcome } from './worker-metrics.ts';

export interface QueueWorkerOptions {
  target: RedisTarget;
  /** This worker's name (logs, metrics, job progress). */
  name: string;
  /** Runs trained at once (one thread each). */
  concurrency: number;
  /**
   * Seconds a job's lock lasts without renewal, and between stalled checks: a killed worker's runs
   * are back in the queue within about twice this. Every worker of a queue should use the same value.
   */
  lockSeconds: number;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Target wall time of one training chunk in a run thread, ms. */
  chunkMs?: number;
}

export interface QueueWorker {
  /** Runs being trained now. */
  readonly active: number;
  /** Checkpoints the running runs, hands their jobs back to the queue, and stops. */
  close(): Promise<void>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { logger, metrics, name } = options;
  const pool = new RunThreadPool();
  await pool.warm(options.concurrency);
  const shutdown = new AbortController();
  let active = 0;

  const processor = async (job: Job<unknown, RunJobResult>, token?: string, lease?: AbortSignal): Promise<RunJobResult> => {
    const parsed = RunJobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new UnrecoverableError(`job ${job.id} is not a run job: ${problems}`);
    }
    const data = parsed.data;
    const log = logger.child({ job: job.id, run: data.runId, experiment: data.experiment });
    const thread = await pool.take();
    let threadHeld = true;
    active++;
    metrics.runStarted();
    let outcome: WorkerRunOutcome = 'error';
    const started = performance.now();
    try {
      const result = await runJob(job, data, thread, log, lease);
      const seconds = (performance.now() - started) / 1000;
      if (result.outcome === 'interrupted') {
        outcome = 'interrupted';
        log.info({ steps: result.steps }, 'run checkpointed; its job goes back to the queue');
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (result.outcome === 'abandoned') {
        outcome = 'abandoned';
        log.warn({ steps: result.steps }, 'lost the run to another worker (its lock expired): stopped without writing');
        throw new Error(`run ${data.runId}: the job's lock was lost; another worker continues it`);
      }
      if (result.outcome === 'failed' && (await readDoneMarker(data.outDir, data.runId)) === null) {
        // No marker: not the run's own failure (a crashed thread, a storage error); the queue retries it.
        threadHeld = false;
        await pool.discard(thread).catch(() => undefined);
        throw new Error(`run ${data.runId}: ${result.detail ?? 'failed'}`);
      }
      outcome = result.outcome;
      log.info({ outcome, steps: result.steps, fromStep: result.fromStep, seconds: Math.round(seconds) }, 'run ended');
      return { outcome: result.outcome, steps: result.steps, seconds, worker: name, ...(result.detail !== undefined ? { detail: result.detail } : {}) };
    } finally {
      // A thread whose run ended (or never started: the folder could not be opened) serves the next job.
      if (threadHeld) pool.give(thread);
      active--;
      metrics.runEnded(outcome);
      metrics.exporter.removeAgent(data.runId);
    }
  };

  const runJob = (job: Job<unknown, RunJobResult>, data: RunJobData, thread: RunThread, log: Logger, lease?: AbortSignal): Promise<RunExecutionResult> => {
    let fromStep = 0;
    let reportedAt = 0;
    const report = (steps: number) => {
      reportedAt = performance.now();
      const progress: RunJobProgress = { worker: name, fromStep, steps };
      job.updateProgress(progress).catch((error: unknown) => log.debug({ err: error }, 'progress update failed'));
    };
    return executeRun(thread, {
      outDir: data.outDir,
      run: { id: data.runId, spec: data.spec as ResolvedRun['spec'] }, // validated again by the run builder
      steps: data.steps,
      checkpointEverySeconds: data.checkpointEverySeconds,
      ...(options.chunkMs !== undefined ? { chunkMs: options.chunkMs } : {}),
      interrupt: shutdown.signal,
      ...(lease ? { abandon: lease } : {}),
      // The job's lock is the lease on the run's folder: a file lock left by a dead worker elsewhere is taken over.
      directory: { takeOverLock: true, logger: log },
      observer: {
        started: (at) => {
          fromStep = at;
          log.info({ fromStep: at, steps: data.steps }, at > 0 ? 'resuming run from its last checkpoint' : 'starting run');
          report(at);
        },
        progressed: (steps) => {
          if (performance.now() - reportedAt >= 1000) report(steps);
        },
        events: (events) => {
          for (const event of events) metrics.exporter.observe(event);
        },
        checkpointed: (step) => log.debug({ step }, 'checkpoint written'),
        log: (message) => log.warn(message),
      },
    });
  };

  const worker = await startBullWorker(RUN_QUEUE, processor, { target: options.target, name, concurrency: options.concurrency, lockSeconds: options.lockSeconds, logger });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof WaitingError)) logger.warn({ job: job.id, attempts: job.attemptsMade, err: error.message }, 'run job failed');
  });
  logger.info({ queue: options.target.display, concurrency: options.concurrency, lockSeconds: options.lockSeconds }, 'queue worker taking runs');

  let closing: Promise<void> | null = null;
  return {
    get active() {
      return active;
    },
    close() {
      closing ??= (async () => {
        shutdown.abort();
        await worker.close();
        await pool.close();
      })();
      return closing;
    },
  };
}
