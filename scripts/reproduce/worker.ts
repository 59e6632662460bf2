/** Worker thread of the reproduction pool: runs one job per message and posts its result back. */
import { parentPort } from 'node:worker_threads';
import type { JobKind } from './pool.ts';
import { runBitFlipping } from './bit-flipping-run.ts';
import type { BitFlippingJob } from './bit-flipping-run.ts';
import { runPermutedMnistGroup } from './permuted-mnist-run.ts';
import type { PermutedMnistGroup } from './permuted-mnist-run.ts';

parentPort!.on('message', (message: { kind: JobKind; job: unknown }) => {
  if (message.kind === 'bit-flipping') {
    parentPort!.postMessage(runBitFlipping(message.job as BitFlippingJob));
  } else {
    const group = message.job as PermutedMnistGroup;
    parentPort!.postMessage(runPermutedMnistGroup(group.jobs, group.deadline));
  }
});
