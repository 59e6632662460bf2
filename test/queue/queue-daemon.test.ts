/**
 * The daemon's agents on the queue, end to end: a real redis-server, `plasticd serve --queue` and
 * `plasticd worker` processes. The agents train on the workers while the daemon's API, run log,
 * checkpoints and /metrics work as with local threads; a worker killed with SIGKILL loses its agents
 * to another worker, which resumes them from their last checkpoints; a worker stopped with SIGTERM
 * has them checkpointed first and handed over; the daemon's shutdown ends the runs on the workers.
 * Skips when redis-server is missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonFixture, getJson, send, tinyContinual, tinyDqn, waitFor } from '../e2e/helpers/daemon.ts';
import type { DaemonProcess } from '../e2e/helpers/daemon.ts';
import { parseExposition } from '../monitoring/exporters/sample-events.ts';
import { startCli } from './helpers/cli-process.ts';
import type { CliProcess } from './helpers/cli-process.ts';
import { REDIS_SKIP_REASON, startRedis } from './helpers/redis.ts';
import type { RunningRedis } from './helpers/redis.ts';

interface Summary {
  id: string;
  state: string;
  steps: number;
  host: string;
  reason?: string;
}

describe('plasticd serve --queue with plasticd worker processes', { skip: REDIS_SKIP_REASON }, () => {
  let redis: RunningRedis;
  const fixture = new DaemonFixture();
  let daemon: DaemonProcess;
  const workers = new Map<string, CliProcess>();

  const startWorker = async (name: string) => {
    const worker = startCli(['worker', '--queue', redis.url, '--name', name, '--concurrency', '1', '--agents', '2', '--lock-seconds', '2', '--metrics-port', '0']);
    workers.set(name, worker);
    await worker.waitFor(/taking runs from/);
    return worker;
  };
  const agents = async () => (await getJson<{ agents: Summary[] }>(`${daemon.url}/api/agents`)).body.agents;
  const agent = async (id: string) => (await getJson<Summary>(`${daemon.url}/api/agents/${id}`)).body;
  const workerMetrics = async (worker: CliProcess) => {
    const url = /metrics (http:\/\/\S+\/metrics)/.exec(worker.output())![1]!;
    return parseExposition(await (await fetch(url)).text());
  };

  before(async () => {
    redis = await startRedis();
    await fixture.setup({
      checkpointEverySeconds: 2,
      queueLostAfterSeconds: 5,
      // Windows about every 0.1 s: the event traffic of a busy agent, without flooding a shared 2-core box.
      agents: [tinyContinual('learner', { windowLength: 5000 }), { ...tinyDqn('dqn'), windowLength: 1000 }],
    });
  });
  after(async () => {
    await fixture.stop();
    await Promise.all([...workers.values()].map((worker) => worker.stop(5000)));
    await redis?.stop();
  });

  it('trains the agents on the workers, with pause, resume and checkpoint through the API', async () => {
    await startWorker('w1');
    await startWorker('w2');
    daemon = await fixture.start(['--queue', redis.url]);
    await waitFor('both agents running on workers', async () => {
      const list = await agents();
      return list.length === 2 && list.every((a) => a.state === 'running' && a.steps > 0 && ['w1', 'w2'].includes(a.host)) ? list : null;
    });
    assert.equal((await send('POST', `${daemon.url}/api/agents/learner/pause`)).body.state, 'paused');
    const pausedAt = (await agent('learner')).steps;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await agent('learner')).steps, pausedAt, 'a paused agent does not train');
    assert.equal((await send('POST', `${daemon.url}/api/agents/learner/resume`)).body.state, 'running');
    await waitFor('the learner to train again', async () => (await agent('learner')).steps > pausedAt);
    const checkpoint = await send<{ step: number }>('POST', `${daemon.url}/api/agents/dqn/checkpoint`);
    assert.equal(checkpoint.status, 200);
    assert.ok(checkpoint.body.step > 0);
    const metrics = parseExposition(await (await fetch(`${daemon.url}/metrics`)).text());
    const steps = metrics.filter((sample) => sample.name === 'plasticd_env_steps_total');
    assert.deepEqual(steps.map((sample) => sample.labels.agent).sort(), ['dqn', 'learner'], 'the daemon exports the agents trained elsewhere');
    const hosted = await Promise.all(['w1', 'w2'].map(async (name) => (await workerMetrics(workers.get(name)!)).find((sample) => sample.name === 'plasticd_worker_agents_active')!.value));
    assert.equal(hosted[0]! + hosted[1]!, 2, 'each worker says how many agents it hosts');
  });

  it('resumes the agents of a killed worker on another from their last checkpoints, losing and repeating no window', async () => {
    const before = await agent('learner');
    const victim = workers.get(before.host)!;
    const survivor = before.host === 'w1' ? 'w2' : 'w1';
    victim.child.kill('SIGKILL');
    const moved = await waitFor(
      'the agents to run on the surviving worker',
      async () => {
        const list = await agents();
        return list.every((a) => a.state === 'running' && a.host === survivor) ? list : null;
      },
      60_000,
    );
    assert.equal(moved.length, 2);
    assert.match(daemon.output(), /the worker running the agent is gone; resuming from the last checkpoint on another/);
    assert.equal((await agent('learner')).state, 'running', 'an agent resumed after a pause keeps running (its state, not the checkpoint\'s)');
    await waitFor('the learner to pass where it was', async () => (await agent('learner')).steps > before.steps);
    for (const id of ['learner', 'dqn']) {
      const { windows } = (await getJson<{ windows: Array<{ report: { window: number } }> }>(`${daemon.url}/api/agents/${id}/windows`)).body;
      assert.ok(windows.length > 0);
      assert.deepEqual(
        windows.map((event) => event.report.window),
        windows.map((_, index) => index + 1),
        `${id}: windows 1..n, each once`,
      );
    }
  });

  it('hands the agents of a worker stopped with SIGTERM to another after a checkpoint', async () => {
    const current = (await agents())[0]!.host;
    await startWorker('w3');
    const leaving = workers.get(current)!;
    const stepsBefore = (await agent('dqn')).steps;
    await leaving.stop();
    assert.equal((await leaving.exited).code, 0, leaving.output().slice(-2000));
    await waitFor('the agents to run on w3', async () => ((await agents()).every((a) => a.state === 'running' && a.host === 'w3') ? true : null), 60_000);
    assert.match(daemon.output(), /"reason":"worker \w+ is shutting down","checkpointFirst":true/);
    const dqn = (await getJson<Summary & { lastCheckpointStep: number }>(`${daemon.url}/api/agents/dqn`)).body;
    assert.ok(dqn.lastCheckpointStep >= stepsBefore, `resumed from the hand-over checkpoint (step ${dqn.lastCheckpointStep}), taken when the worker left (after step ${stepsBefore})`);
    const { windows } = (await getJson<{ windows: Array<{ report: { window: number } }> }>(`${daemon.url}/api/agents/dqn/windows`)).body;
    assert.deepEqual(windows.map((event) => event.report.window), windows.map((_, index) => index + 1));
  });

  it('ends the runs on the workers when the daemon shuts down', async () => {
    const w3 = workers.get('w3')!;
    daemon.child.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0);
    await waitFor('w3 to host no agent', async () => ((await workerMetrics(w3)).find((sample) => sample.name === 'plasticd_worker_agents_active')!.value === 0 ? true : null), 20_000);
  });
});
