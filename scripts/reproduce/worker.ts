/** Worker thread of the reproduction pool: runs one job per message and posts its result back. */
import { parentPort } from 'node:worker_threads';
import type { JobKind } from './pool.ts';
import { runBitFlipping } from './bit-flipping-run.ts';
import type { BitFlippingJob } from './bit-flipping-run.ts';
import { runPermutedMnist } from './permuted-mnist-run.ts';
import type { PermutedMnistJob } from './permuted-mnist-run.ts';

parentPort!.on('message', (message: { kind: JobKind; job: unknown }) => {
  const result =
    message.kind === 'bit-flipping' ? runBitFlipping(message.job as BitFlippingJob) : runPermutedMnist(message.job as PermutedMnistJob);
  parentPort!.postMessage(result);
});
