/**
 * Runs the comparison's jobs in worker threads (at most two: the box is shared), each job fully
 * seeded so results do not depend on scheduling. Workers load TypeScript through tsx the same way
 * as scripts/reproduce/pool.ts: a tiny eval script registers tsx's ESM hook, then imports worker.ts
 * (on Node 20 a worker started from a .ts URL loads its entry before the hook is in place).
 */
import { Worker } from 'node:worker_threads';
import type { RlJob, RlRunResult } from './rl-run.ts';

/** The most worker threads the comparison starts, whatever is asked. */
export const MAX_THREADS = 2;

export async function runRlJobs(jobs: RlJob[], threads: number, onResult: (result: RlRunResult, index: number) => void): Promise<RlRunResult[]> {
  const results: RlRunResult[] = new Array(jobs.length);
  let next = 0;
  const workerUrl = new URL('./worker.ts', import.meta.url);
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`;
      const worker = new Worker(bootstrap, { eval: true });
      const feed = () => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const index = next++;
        worker.once('message', (message: { result?: RlRunResult; error?: string }) => {
          if (message.error !== undefined) {
            void worker.terminate();
            reject(new Error(`job ${index} (${jobs[index].method}, seed ${jobs[index].seed}) failed: ${message.error}`));
            return;
          }
          results[index] = message.result!;
          onResult(message.result!, index);
          feed();
        });
        worker.postMessage(jobs[index]);
      };
      worker.once('error', reject);
      feed();
    });
  const count = Math.max(1, Math.min(threads, MAX_THREADS, jobs.length));
  await Promise.all(Array.from({ length: count }, runWorker));
  return results;
}
