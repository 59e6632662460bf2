/**
 * A BullMQ worker as plasticd's queue workers use one: locks of `lockSeconds` renewed at half that,
 * stalled checks as often (a dead worker's jobs are back in the queue within about twice lockSeconds),
 * many stalls allowed (a job resumes from its checkpoints, so a stall costs little), and a job whose
 * lock could not be renewed is cancelled here at once (its processor's signal aborts), so two workers
 * never keep working on one job.
 */
import { Worker } from 'bullmq';
import type { Processor } from 'bullmq';
import type { Logger } from 'pino';
import type { RedisTarget } from './redis-target.ts';

export interface BullWorkerOptions {
  target: RedisTarget;
  name: string;
  concurrency: number;
  lockSeconds: number;
  logger: Logger;
}

/** How many times a job may stall (its worker died) before BullMQ gives up on it: jobs resume, so many. */
const MAX_STALLED = 1000;

export async function startBullWorker(queue: string, processor: Processor, options: BullWorkerOptions): Promise<Worker> {
  const { logger } = options;
  const worker = new Worker(queue, processor, {
    connection: options.target.connection,
    prefix: options.target.prefix,
    name: options.name,
    concurrency: options.concurrency,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: options.lockSeconds * 1000,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) {
      logger.warn({ queue, job: id }, 'could not renew the lock of a running job: stopping it');
      worker.cancelJob(id, 'lock lost');
    }
  });
  worker.on('error', (error) => logger.warn({ queue, err: error }, 'queue worker error'));
  await worker.waitUntilReady();
  void worker.run().catch((error: unknown) => logger.error({ queue, err: error }, 'queue worker stopped'));
  return worker;
}
