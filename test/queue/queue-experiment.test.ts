/**
 * The scale-out path end to end, with real parts: a real redis-server, three `plasticd worker` processes,
 * `plasticd experiment --queue` as a process, and a real Prometheus that finds the workers through the
 * shipped file-based service discovery config. Mid-run, one worker is killed with SIGKILL (its runs must
 * come back through BullMQ's stalled-job recovery and resume from their checkpoints on another worker)
 * and another is stopped with SIGTERM (it must checkpoint and hand its run back). The report, summary,
 * plots and every run's events must equal those of a one-machine `plasticd experiment` run.
 * Skips when redis-server is missing (the Prometheus part also needs prometheus).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Queue } from 'bullmq';
import { REPO, waitFor } from '../e2e/helpers/daemon.ts';
import { dashboardExpressions, substitute } from '../e2e/helpers/dashboards.ts';
import { prometheusAvailable, startPrometheus } from '../e2e/helpers/prometheus.ts';
import type { RunningPrometheus, VectorSample } from '../e2e/helpers/prometheus.ts';
import { parseRedisTarget } from '../../src/queue/redis-target.ts';
import { RUN_JOB, RUN_QUEUE } from '../../src/queue/run-jobs.ts';
import { startCli } from './helpers/cli-process.ts';
import type { CliProcess } from './helpers/cli-process.ts';
import { REDIS_SKIP_REASON, startRedis } from './helpers/redis.ts';
import type { RunningRedis } from './helpers/redis.ts';

const EXPERIMENT = `name: queued
description: Six tiny bit-flipping runs for the queue test.
base:
  stream: { id: bit-flipping-resample, options: { flipAfter: 2000 } }
  agent: { kind: continual, hiddenUnits: [5], optimizer: { kind: sgd, learningRate: 0.01 } }
  networks: { engine: typed }
  windowLength: 5000
  monitor: { probeSize: 64, audit: null, curvature: null, resetPolicy: { kind: none } }
steps: 300000
checkpointEverySeconds: 0.3
methods:
  bp: {}
  cbp: { monitor: { resetPolicy: { kind: replacement-rate, criterion: adaptable-contribution, replacementRate: 0.002, maturityThreshold: 50 } } }
seeds: [1, 2, 3]
report: { metrics: [performance, model/hidden0/deadRatio] }
`;
const WORKERS_DASHBOARD = 'monitoring/grafana/dashboards/plasticd-workers.json';
/** A checkpoint in the first third of a run (step < 100,000 of 300,000), so the run is still going when the worker is stopped. */
const CHECKPOINTED = /"run":"([^"]+)"[^\n]*"step":\d{1,5},"msg":"checkpoint written"/;

/** A run's events as a one-machine run writes them: state events (a resume adds one) and wall-clock fields left out. */
function comparableEvents(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((event) => event.kind !== 'state')
    .map(({ seq: _seq, time: _time, ...event }) => {
      const report = event.report as Record<string, unknown> | undefined;
      if (report) delete report.durationSeconds;
      return JSON.stringify(event);
    });
}

describe('plasticd experiment --queue with plasticd worker processes', { skip: REDIS_SKIP_REASON }, () => {
  let root: string;
  let redis: RunningRedis;
  let prometheus: RunningPrometheus | null = null;
  const workers: CliProcess[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'plasticd-queue-'));
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop(5000)));
    await prometheus?.stop();
    await redis?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('survives a killed and a stopped worker and writes the report a one-machine run writes, byte for byte', async () => {
    const sdDir = join(root, 'sd');
    if (prometheusAvailable()) {
      const shipped = parseYaml(await readFile(join(REPO, 'monitoring/prometheus/prometheus-workers.yml'), 'utf8')) as { scrape_configs: Array<Record<string, any>> };
      const job = shipped.scrape_configs.find((config) => config.job_name === 'plasticd-worker')!;
      job.file_sd_configs[0].files = [join(sdDir, '*.json')];
      job.file_sd_configs[0].refresh_interval = '1s';
      prometheus = await startPrometheus({ scrapeConfigs: [job], job: 'plasticd-worker' });
    }
    for (const name of ['local', 'queued']) {
      await mkdir(join(root, name));
      await writeFile(join(root, name, 'queued.yaml'), EXPERIMENT);
    }
    const common = ['--concurrency', '1', '--lock-seconds', '2', '--metrics-port', '0', '--sd-dir', sdDir, '--log-level', 'debug'];
    for (const name of ['w1', 'w2', 'w3']) workers.push(startCli(['worker', '--queue', redis.url, '--name', name, ...common]));
    const [w1, w2] = workers as [CliProcess, CliProcess, CliProcess];
    await Promise.all(workers.map((worker) => worker.waitFor(/taking runs from/)));

    const queuedAt = Math.floor(Date.now() / 1000);
    const coordinator = startCli(['experiment', 'queued.yaml', '--out', 'results', '--queue', redis.url], { cwd: join(root, 'queued') });
    // SIGKILL w1 once it has checkpointed a run: that run must move to another worker and resume there.
    const killedRun = (await w1.waitFor(CHECKPOINTED, 120_000))[1]!;
    w1.child.kill('SIGKILL');
    assert.equal((await w1.exited).signal, 'SIGKILL');
    // Then SIGTERM w2 once it has checkpointed a run since: it must checkpoint again, hand the run back and exit 0.
    const stoppedRun = (await w2.waitFor(CHECKPOINTED, 120_000, w2.output().length))[1]!;
    await w2.stop();
    assert.equal((await w2.exited).code, 0, w2.output().slice(-2000));
    assert.match(w2.output(), /run checkpointed; its job goes back to the queue/);
    assert.ok(!existsSync(join(sdDir, 'w2.json')), 'a worker that exits cleanly removes its service discovery file');
    assert.ok(existsSync(join(sdDir, 'w1.json')), "a killed worker's target stays (Prometheus shows it down)");

    const end = await coordinator.exited;
    assert.equal(end.code, 0, coordinator.output().slice(-3000));
    const resumed = [...coordinator.output().matchAll(/(\S+): resumed on (w\d) from its checkpoint at step ([\d,]+)/g)].map((m) => ({ run: m[1], worker: m[2], step: Number(m[3]!.replace(/,/g, '')) }));
    assert.ok(resumed.some((r) => r.run === killedRun && r.worker !== 'w1' && r.step > 0), `${killedRun} (killed on w1) resumed elsewhere: ${JSON.stringify(resumed)}`);
    assert.ok(resumed.some((r) => r.run === stoppedRun && r.worker === 'w3' && r.step > 0), `${stoppedRun} (stopped on w2) resumed on w3: ${JSON.stringify(resumed)}`);

    if (prometheus) {
      const up = await waitFor('Prometheus to see w1 down and w3 up through file_sd', async () => {
        const result = (await prometheus!.query('up{job="plasticd-worker"}')).data?.result as VectorSample[] | undefined;
        const byWorker = Object.fromEntries((result ?? []).map((sample) => [sample.metric.worker, sample.value[1]]));
        return byWorker.w1 === '0' && byWorker.w3 === '1' && !('w2' in byWorker) ? byWorker : null;
      }, 30_000);
      assert.deepEqual(up, { w1: '0', w3: '1' });
      const finished = await prometheus.query('plasticd_worker_runs_total{job="plasticd-worker",worker="w3",outcome="finished"}');
      assert.ok(Number((finished.data?.result as VectorSample[])[0]?.value[1]) >= 1, JSON.stringify(finished));
      // The shipped workers dashboard, as Grafana would query it for all workers over the test's time range
      // (a run's series live while it trains on a worker, so its panels have data while the runs trained):
      // every expression has data.
      const workers = (await prometheus.api<{ data: string[] }>(`/api/v1/label/worker/values?match[]=plasticd_worker_info`)).data;
      const values = { __rate_interval: '1m', __interval: '1m', __range: '1m', worker: `(${workers.join('|')})` };
      const range = `&start=${queuedAt}&end=${Math.ceil(Date.now() / 1000)}&step=1`;
      const empty: string[] = [];
      for (const { where, expr } of dashboardExpressions(WORKERS_DASHBOARD)) {
        const answer = await prometheus.api<{ status: string; data?: { result?: unknown[] } }>(`/api/v1/query_range?query=${encodeURIComponent(substitute(expr, values))}${range}`);
        if (answer.status !== 'success' || !Array.isArray(answer.data?.result) || answer.data.result.length === 0) empty.push(`${where}: ${expr}`);
      }
      assert.deepEqual(empty, [], 'every panel of the workers dashboard has data');
    }

    const local = startCli(['experiment', 'queued.yaml', '--out', 'results', '--workers', '2'], { cwd: join(root, 'local') });
    assert.equal((await local.exited).code, 0, local.output().slice(-3000));
    const out = (name: string, file: string) => join(root, name, 'results', file);
    const plots = (await readdir(out('local', 'plots'))).sort();
    assert.deepEqual((await readdir(out('queued', 'plots'))).sort(), plots);
    for (const file of ['report.md', 'summary.csv', ...plots.map((plot) => `plots/${plot}`)]) {
      assert.equal(await readFile(out('queued', file), 'utf8'), await readFile(out('local', file), 'utf8'), `${file} differs from the one-machine run's`);
    }
    for (const run of ['bp-seed1', 'bp-seed2', 'bp-seed3', 'cbp-seed1', 'cbp-seed2', 'cbp-seed3']) {
      const log = (name: string) => readFile(out(name, `runs/agents/${run}/run-log.jsonl`), 'utf8');
      const [queued, alone] = [comparableEvents(await log('queued')), comparableEvents(await log('local'))];
      assert.equal(queued.filter((event) => event.includes('"kind":"window"')).length, 60, `${run}: every window, once`);
      assert.deepEqual(queued, alone, `${run}: the same events as the one-machine run (none lost, none twice)`);
    }

  });

  it('fails a job whose data is not a run job, with a message naming the field, and keeps serving', async () => {
    const w3 = workers[2]!;
    const target = parseRedisTarget(redis.url);
    const queue = new Queue(RUN_QUEUE, { connection: target.connection, prefix: target.prefix });
    try {
      const job = await queue.add(RUN_JOB, { experiment: 'x', outDir: 'relative/path', runId: 'r1', spec: {}, steps: 10, checkpointEverySeconds: 1 });
      const failed = await waitFor('the bad job to fail', async () => ((await job.getState()) === 'failed' ? await queue.getJob(job.id!) : null), 30_000);
      assert.match(failed!.failedReason, /is not a run job: outDir: must be an absolute path/);
      assert.equal(failed!.attemptsMade, 1, 'an invalid job is not retried');
      assert.equal(w3.child.exitCode, null, 'the worker keeps running');
    } finally {
      await queue.close();
    }
  });

  it('says clearly when the queue cannot be reached or a flag is wrong', async () => {
    const closed = `redis://127.0.0.1:${redis.port + 1}`;
    const experiment = startCli(['experiment', 'experiments/slowly-changing-regression.yaml', '--out', join(root, 'never'), '--queue', closed]);
    assert.equal((await experiment.exited).code, 1);
    assert.match(experiment.output(), new RegExp(`cannot reach the queue at ${closed.replace(/[.]/g, '\\.')}`));
    const badUrl = startCli(['worker', '--queue', 'http://127.0.0.1:6379']);
    assert.equal((await badUrl.exited).code, 2);
    assert.match(badUrl.output(), /is not a Redis URL: the scheme must be redis:\/\/ or rediss:\/\//);
    const badFlag = startCli(['worker', '--queue', redis.url, '--concurrency', '0']);
    assert.equal((await badFlag.exited).code, 2);
    assert.match(badFlag.output(), /--concurrency must be an integer 1–256, got '0'/);
  });

  it('stops a worker whose metrics port is taken before it takes any run', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const url = `${redis.url}?prefix=portclash`; // a queue no other worker of this test serves
    const target = parseRedisTarget(url);
    const queue = new Queue(RUN_QUEUE, { connection: target.connection, prefix: target.prefix });
    try {
      const job = await queue.add(RUN_JOB, { experiment: 'x', outDir: 'relative/path', runId: 'r1', spec: {}, steps: 10, checkpointEverySeconds: 1 });
      const worker = startCli(['worker', '--queue', url, '--concurrency', '1', '--metrics-port', String(port)]);
      assert.equal((await worker.exited).code, 1);
      assert.match(worker.output(), new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}: the port is in use \\(pick another with --metrics-port, or 0 for any\\)`));
      assert.equal(await job.getState(), 'waiting', 'the job was never taken');
    } finally {
      await queue.close();
      busy.close();
    }
  });
});
