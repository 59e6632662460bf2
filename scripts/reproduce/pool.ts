/** The reproduction scripts' jobs in worker threads (scripts/worker-pool.ts), one per core by default. */
import { runInWorkers } from '../worker-pool.ts';

export type JobKind = 'bit-flipping' | 'permuted-mnist';

export function runJobs<J, R>(kind: JobKind, jobs: J[], threads: number, onResult: (result: R, index: number) => void): Promise<R[]> {
  return runInWorkers<{ kind: JobKind; job: J }, R>(new URL('./worker.ts', import.meta.url), jobs.map((job) => ({ kind, job })), threads, onResult, (index) => `${kind} job ${index}`);
}
