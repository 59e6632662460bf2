/** Worker thread of the comparison pool: runs one RL job per message and posts its result (or its error) back. */
import { parentPort } from 'node:worker_threads';
import { runRlJob } from './rl-run.ts';
import type { RlJob } from './rl-run.ts';

parentPort!.on('message', (job: RlJob) => {
  try {
    parentPort!.postMessage({ result: runRlJob(job) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});
