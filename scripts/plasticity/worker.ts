/** Worker thread of the comparison pool: runs one RL job per message and posts its result (or its error) back. */
import { parentPort } from 'node:worker_threads';
import { runRlJob } from './rl-run.ts';
import type { RlJob } from './rl-run.ts';
import { workerReply } from '../worker-pool.ts';

parentPort!.on('message', (job: RlJob) => {
  parentPort!.postMessage(workerReply(() => runRlJob(job)));
});
