/** Worker thread of the reproduction pool: runs one job per message and posts its result (or its error) back. */
import { parentPort } from 'node:worker_threads';
import type { JobKind } from './pool.ts';
import { runBitFlipping } from './bit-flipping-run.ts';
import type { BitFlippingJob } from './bit-flipping-run.ts';
import { runPermutedMnistGroup } from './permuted-mnist-run.ts';
import type { PermutedMnistGroup } from './permuted-mnist-run.ts';
import { workerReply } from '../worker-pool.ts';

parentPort!.on('message', (message: { kind: JobKind; job: unknown }) => {
  parentPort!.postMessage(
    workerReply(() => {
      if (message.kind === 'bit-flipping') return runBitFlipping(message.job as BitFlippingJob);
      const group = message.job as PermutedMnistGroup;
      return runPermutedMnistGroup(group.jobs, group.deadline);
    }),
  );
});
