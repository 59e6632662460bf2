/**
 * Throughput of the scale-out path: one experiment (8 bit-flipping runs) trained by 1, 2 and 3
 * `plasticd worker` processes on a real redis-server, side by side with the one-machine runner's 1 and 2
 * threads on the same runs. Time counts from enqueueing to the last run's end, with the workers already
 * started (their start-up is a one-off; the one-machine runner's own thread start-up, about 2 s, is in its
 * time). Reports env steps/s and the speed-up over one worker. On a
 * machine with C cores, more than C workers cannot go faster; the table says how many cores there are.
 * Needs redis-server (Debian package `redis-server`); skipped with a message otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment } from '../src/experiment/resolve.ts';
import { runExperiment } from '../src/experiment/runner.ts';
import { runExperimentOnQueue } from '../src/queue/experiment-queue.ts';
import { parseRedisTarget } from '../src/queue/redis-target.ts';
import { startCli } from '../test/queue/helpers/cli-process.ts';
import type { CliProcess } from '../test/queue/helpers/cli-process.ts';
import { REDIS_SKIP_REASON, startRedis } from '../test/queue/helpers/redis.ts';

const RUNS = 8;
const STEPS = 1_000_000;

function experiment(name: string) {
  return resolveExperiment({
    name,
    description: 'queue throughput',
    base: {
      stream: { id: 'bit-flipping-resample' },
      agent: { kind: 'continual', hiddenUnits: [5], optimizer: { kind: 'sgd', learningRate: 0.01 } },
      networks: { engine: 'typed' },
      windowLength: 20_000,
      monitor: { probeSize: 64, audit: null, curvature: null, resetPolicy: { kind: 'none' } },
    },
    steps: STEPS,
    seeds: RUNS,
    methods: { bp: {} },
  }).experiment;
}

export default async function bench(): Promise<void> {
  if (REDIS_SKIP_REASON) {
    console.log(`skipped: ${REDIS_SKIP_REASON}`);
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'plasticd-queue-bench-'));
  const redis = await startRedis();
  const target = parseRedisTarget(redis.url);
  const rows: Array<{ how: string; seconds: number }> = [];
  try {
    for (const threads of [1, 2]) {
      const started = performance.now();
      await runExperiment({ experiment: experiment(`local${threads}`), outDir: join(root, `local-${threads}`), workers: threads, checkpointEverySeconds: 60 });
      rows.push({ how: `one machine, ${threads} thread${threads > 1 ? 's' : ''}`, seconds: (performance.now() - started) / 1000 });
    }
    for (const count of [1, 2, 3]) {
      const workers: CliProcess[] = [];
      try {
        for (let i = 0; i < count; i++) workers.push(startCli(['worker', '--queue', redis.url, '--concurrency', '1', '--metrics-port', '0', '--name', `bench${count}-${i}`, '--log-level', 'warn']));
        await Promise.all(workers.map((worker) => worker.waitFor(/taking runs from/)));
        const started = performance.now();
        const result = await runExperimentOnQueue({ experiment: experiment(`queue${count}`), outDir: join(root, `queue-${count}`), target, checkpointEverySeconds: 60, pollMs: 250 });
        if (result.status !== 'complete') throw new Error(`queued experiment ended ${result.status}`);
        rows.push({ how: `queue, ${count} worker${count > 1 ? 's' : ''}`, seconds: (performance.now() - started) / 1000 });
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    }
  } finally {
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  }
  const oneWorker = rows.find((row) => row.how === 'queue, 1 worker')!.seconds;
  const oneThread = rows.find((row) => row.how === 'one machine, 1 thread')!.seconds;
  console.log(`${RUNS} runs × ${STEPS.toLocaleString('en-US')} steps (bit-flipping, 20-5-1), ${availableParallelism()} cores`);
  console.log('| how | seconds | env steps/s | speed-up over 1 worker | vs one machine, 1 thread |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    const rate = (RUNS * STEPS) / row.seconds;
    console.log(`| ${row.how} | ${row.seconds.toFixed(1)} | ${Math.round(rate).toLocaleString('en-US')} | ${(oneWorker / row.seconds).toFixed(2)}× | ${(oneThread / row.seconds).toFixed(2)}× |`);
  }
}
