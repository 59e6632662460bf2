/**
 * `plasticd experiment <file> --queue redis://…`: the experiment's runs go to the BullMQ queue instead of
 * local threads, and any number of `plasticd worker` processes (on any machines that see the output
 * folder at the same path) train them. This side prepares the output folder as a local run does,
 * enqueues every unfinished run under a stable job id, follows the jobs (progress, completion, failure)
 * and returns when all have ended; the caller writes the report from the shared folder, so it is the
 * report a one-machine run writes. Interrupting this command does not stop the runs: they go on on the
 * workers, and the same command, run again, picks up where they are.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Job } from 'bullmq';
import { isAbsolute } from 'node:path';
import { PlasticdError } from '../util/errors.ts';
import { silentProgress } from '../experiment/progress.ts';
import type { ProgressReporter } from '../experiment/progress.ts';
import type { ResolvedExperiment, ResolvedRun } from '../experiment/resolve.ts';
import { experimentResult, loadTiming, prepareOutput, readDoneMarker, recordTiming, saveTiming } from '../experiment/runner.ts';
import type { ExperimentRunResult } from '../experiment/runner.ts';
import { checkRedis } from './redis-target.ts';
import type { RedisTarget } from './redis-target.ts';
import { asRunJobProgress, RUN_JOB, RUN_QUEUE, runJobId } from './run-jobs.ts';
import type { RunJobData, RunJobResult } from './run-jobs.ts';

export interface QueuedExperimentOptions {
  experiment: ResolvedExperiment;
  /** Absolute path of the output folder, the same on every worker (shared storage). */
  outDir: string;
  target: RedisTarget;
  restart?: boolean;
  checkpointEverySeconds?: number;
  /** Stops following the runs (they go on on the workers). */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** Milliseconds between state checks of every unfinished job, besides the queue's events. Default 5000. */
  pollMs?: number;
}

/** Job options: a run whose worker errors (not the run's own failure) is retried; finished jobs are kept a week. */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 7 * 86_400 },
  removeOnFail: { age: 30 * 86_400 },
} as const;

export async function runExperimentOnQueue(options: QueuedExperimentOptions): Promise<ExperimentRunResult> {
  const started = performance.now();
  const { experiment, outDir, target } = options;
  if (!isAbsolute(outDir)) throw new PlasticdError('invalid_argument', `the output folder must be an absolute path for queued runs, got '${outDir}'`);
  const progress = options.progress ?? silentProgress;
  await checkRedis(target);
  const connection = target.connection;
  const queue = new Queue(RUN_QUEUE, { connection, prefix: target.prefix });
  const events = new QueueEvents(RUN_QUEUE, { connection, prefix: target.prefix });
  try {
    await events.waitUntilReady();
    if (options.restart) await removeJobs(queue, outDir, experiment.runs);
    await prepareOutput(outDir, experiment, options.restart ?? false);

    const finished: string[] = [];
    const failed: string[] = [];
    const pending = new Map<string, ResolvedRun>();
    let doneSteps = 0;
    for (const run of experiment.runs) {
      const marker = await readDoneMarker(outDir, run.id);
      if (marker === null) pending.set(runJobId(outDir, run.id), run);
      else {
        (marker.status === 'finished' ? finished : failed).push(run.id);
        doneSteps += experiment.steps;
      }
    }
    progress.begin({ runs: experiment.runs.length, finishedRuns: experiment.runs.length - pending.size, steps: experiment.runs.length * experiment.steps, doneSteps });
    for (const [jobId, run] of pending) {
      await ensureJob(queue, jobId, {
        experiment: experiment.name,
        outDir,
        runId: run.id,
        spec: run.spec as Record<string, unknown>,
        steps: experiment.steps,
        checkpointEverySeconds: options.checkpointEverySeconds ?? 60,
      });
    }
    progress.log(`${pending.size} runs on the queue ${target.display}; start workers with: plasticd worker --queue ${target.display}`);

    const timing = await loadTiming(outDir);
    const startedAttempts = new Set<string>();
    await new Promise<void>((resolve) => {
      let poll: NodeJS.Timeout | null = null;
      const stop = () => {
        if (poll !== null) clearInterval(poll);
        events.off('progress', onProgress);
        events.off('completed', onFinished);
        events.off('failed', onFinished);
        options.signal?.removeEventListener('abort', stop);
        resolve();
      };
      const settle = async (jobId: string): Promise<void> => {
        const run = pending.get(jobId);
        if (!run) return;
        const job = await queue.getJob(jobId);
        const state = job ? await job.getState() : 'unknown';
        if (state !== 'completed' && state !== 'failed') return;
        if (!pending.delete(jobId)) return; // settled meanwhile
        const marker = await readDoneMarker(outDir, run.id);
        const result = job?.returnvalue as RunJobResult | undefined;
        if (result) await recordTiming(outDir, timing, run.id, result.seconds, result.steps).catch((error: unknown) => progress.log(`${run.id}: writing timing.json failed: ${(error as Error).message}`));
        if (marker !== null) progress.runProgress(run.id, marker.steps);
        if (marker?.status === 'finished') finished.push(run.id);
        else if (marker?.status === 'failed') failed.push(run.id);
        const detail = marker === null ? `the queue gave up on it: ${job?.failedReason ?? state}` : marker.error ? `${marker.error.code}: ${marker.error.message}` : undefined;
        progress.runEnded(run.id, marker === null ? 'interrupted' : marker.status, detail);
        if (pending.size === 0) stop();
      };
      const check = (jobId: string) => void settle(jobId).catch((error: unknown) => progress.log(`checking ${jobId} failed: ${(error as Error).message}`));
      const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
        const run = pending.get(jobId);
        const value = asRunJobProgress(data);
        if (!run || value === null) return;
        const attempt = `${jobId}@${value.worker}:${value.fromStep}`;
        if (!startedAttempts.has(attempt)) {
          startedAttempts.add(attempt);
          progress.runStarted(run.id, experiment.steps, value.fromStep);
          if (value.fromStep > 0) progress.log(`${run.id}: resumed on ${value.worker} from its checkpoint at step ${value.fromStep.toLocaleString('en-US')}`);
        }
        progress.runProgress(run.id, value.steps);
      };
      const onFinished = ({ jobId }: { jobId: string }) => check(jobId);
      if (pending.size === 0 || options.signal?.aborted) return stop();
      events.on('progress', onProgress);
      events.on('completed', onFinished);
      events.on('failed', onFinished);
      options.signal?.addEventListener('abort', stop, { once: true });
      poll = setInterval(() => {
        for (const jobId of pending.keys()) check(jobId);
      }, options.pollMs ?? 5000);
      for (const jobId of [...pending.keys()]) check(jobId); // jobs that ended before the listeners existed
    });
    progress.end();
    await saveTiming(outDir, timing, started);
    return experimentResult(experiment, finished, failed, started);
  } finally {
    await events.close();
    await queue.close();
  }
}

/** Adds the run's job unless it is already queued or running; a job the queue gave up on is retried. */
async function ensureJob(queue: Queue, jobId: string, data: RunJobData): Promise<void> {
  const existing = (await queue.getJob(jobId)) as Job | undefined;
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') {
      await existing.retry('failed');
      return;
    }
    if (state !== 'completed') return; // waiting, delayed or active: it is on its way
    await existing.remove(); // completed, yet no done marker (the folder was cleared): run it again
  }
  await queue.add(RUN_JOB, data, { ...JOB_OPTIONS, jobId });
}

/** --restart: the experiment's jobs leave the queue first; a run a worker is training now is refused. */
async function removeJobs(queue: Queue, outDir: string, runs: readonly ResolvedRun[]): Promise<void> {
  for (const run of runs) {
    const job = await queue.getJob(runJobId(outDir, run.id));
    if (!job) continue;
    if ((await job.getState()) === 'active') {
      throw new PlasticdError('experiment_running', `--restart: run '${run.id}' is being trained by a worker now; wait for it or stop the workers first`);
    }
    await job.remove();
  }
}
