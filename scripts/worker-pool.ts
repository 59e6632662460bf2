/**
 * Runs script jobs in worker threads, each job fully seeded so results do not depend on scheduling.
 * A worker answers each message with `{ result }` or `{ error }` (workerReply below); an error
 * fails the whole run, naming the job. Workers load TypeScript through tsx: on Node 20 a worker
 * started from a .ts URL with `execArgv: ['--import', 'tsx']` loads the entry before the hook is in
 * place, so each worker is a tiny eval script that registers tsx's ESM hook, then imports its module.
 */
import { Worker } from 'node:worker_threads';

export type WorkerReply<R> = { result: R; error?: undefined } | { error: string; result?: undefined };

/** What a pool worker posts back for one job: its result, or its error with the stack. */
export function workerReply<R>(run: () => R): WorkerReply<R> {
  try {
    return { result: run() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}

/**
 * Posts `messages` one at a time to `threads` workers running `workerUrl`; `onResult` sees each
 * result as it arrives; resolves with the results in message order. `describe(index)` names a job
 * in the error of a failed one.
 */
export async function runInWorkers<M, R>(
  workerUrl: URL,
  messages: readonly M[],
  threads: number,
  onResult: (result: R, index: number) => void,
  describe: (index: number) => string = (index) => `job ${index}`,
): Promise<R[]> {
  const results: R[] = new Array(messages.length);
  let next = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`;
      const worker = new Worker(bootstrap, { eval: true });
      const feed = () => {
        if (next >= messages.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const index = next++;
        worker.once('message', (reply: WorkerReply<R>) => {
          if (reply.error !== undefined) {
            void worker.terminate();
            reject(new Error(`${describe(index)} failed: ${reply.error}`));
            return;
          }
          results[index] = reply.result as R;
          onResult(reply.result as R, index);
          feed();
        });
        worker.postMessage(messages[index]);
      };
      worker.once('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, messages.length)) }, runWorker));
  return results;
}
