/** The RL comparison's jobs in worker threads (scripts/worker-pool.ts), at most two: the box is shared. */
import { runInWorkers } from '../worker-pool.ts';
import type { RlJob, RlRunResult } from './rl-run.ts';

/** The most worker threads the comparison starts, whatever is asked. */
export const MAX_THREADS = 2;

export function runRlJobs(jobs: RlJob[], threads: number, onResult: (result: RlRunResult, index: number) => void): Promise<RlRunResult[]> {
  return runInWorkers<RlJob, RlRunResult>(new URL('./worker.ts', import.meta.url), jobs, Math.min(threads, MAX_THREADS), onResult, (index) => `job ${index} (${jobs[index].method}, seed ${jobs[index].seed})`);
}
