/**
 * Runs reproduction jobs in worker threads, one per core by default, each job fully seeded so the
 * results do not depend on scheduling. Workers load TypeScript through tsx: on Node 20 a worker
 * started from a .ts URL with `execArgv: ['--import', 'tsx']` loads the entry before the hook is
 * in place, so each worker is a tiny eval script that registers tsx's ESM hook, then imports worker.ts.
 */
import { Worker } from 'node:worker_threads';

export type JobKind = 'bit-flipping' | 'permuted-mnist';

export async function runJobs<J, R>(kind: JobKind, jobs: J[], threads: number, onResult: (result: R, index: number) => void): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
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
        worker.once('message', (result: R) => {
          results[index] = result;
          onResult(result, index);
          feed();
        });
        worker.postMessage({ kind, job: jobs[index] });
      };
      worker.once('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, runWorker));
  return results;
}
