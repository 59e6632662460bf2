/**
 * The queue's job types. A run job is one experiment run: which run (its id and resolved spec), how
 * long, and where its files live (the experiment's output folder, an absolute path every worker sees:
 * shared storage). Workers validate a job's data before touching anything; the job id is derived from
 * the output folder and the run id, so enqueueing the same experiment twice never runs a run twice.
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../daemon/store/agent-directory.ts';

/** The BullMQ queue of experiment runs. */
export const RUN_QUEUE = 'plasticd-runs';
/** The job name of a run job. */
export const RUN_JOB = 'experiment-run';

export const RunJobDataSchema = z
  .object({
    /** The experiment's name (for logs and metrics). */
    experiment: z.string().min(1).max(200),
    /** Absolute path of the experiment's output folder on shared storage. */
    outDir: z.string().min(1).refine(isAbsolute, 'must be an absolute path (on storage every worker shares)'),
    runId: z.string().regex(AGENT_ID_PATTERN, 'must be a run id (letters, digits, _ . -)'),
    /** The run's resolved AgentSpec (validated again when the run is built). */
    spec: z.record(z.string(), z.unknown()),
    steps: z.number().int().positive(),
    checkpointEverySeconds: z.number().positive().max(86_400),
  })
  .strict();
export type RunJobData = z.infer<typeof RunJobDataSchema>;

/** What a run job returns when it ends (the run's own outcome; its done.json says the same). */
export interface RunJobResult {
  outcome: 'finished' | 'failed';
  steps: number;
  /** Seconds this worker spent on it (earlier, interrupted attempts are not counted). */
  seconds: number;
  worker: string;
  detail?: string;
}

/** Progress a worker reports on a run job: where the attempt started and how far it is. */
export interface RunJobProgress {
  worker: string;
  fromStep: number;
  steps: number;
}

/** `<hash of the output folder>-<run id>`: stable across invocations, distinct across experiments (BullMQ ids may not contain ':'). */
export function runJobId(outDir: string, runId: string): string {
  return `${createHash('sha256').update(outDir).digest('hex').slice(0, 16)}-${runId}`;
}

/** Reads a job's progress value when it is a RunJobProgress. */
export function asRunJobProgress(value: unknown): RunJobProgress | null {
  const v = value as Partial<RunJobProgress> | null;
  return v !== null && typeof v === 'object' && typeof v.steps === 'number' && typeof v.fromStep === 'number' && typeof v.worker === 'string' ? (v as RunJobProgress) : null;
}
