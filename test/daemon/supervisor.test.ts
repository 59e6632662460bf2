/**
 * The Supervisor driven directly (no HTTP): real worker threads, a real data dir in a temp folder.
 * Events arrive in seq order and land in the run log; checkpoints, shutdown and a second
 * supervisor on the same dir resume the run where it stopped; failures stay with their agent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Supervisor } from '../../src/daemon/supervisor.ts';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { tinyContinual, waitFor } from '../e2e/helpers/daemon.ts';

const logger = pino({ level: 'silent' });

function newSupervisor(dataDir: string, exporter?: PrometheusExporter): Supervisor {
  return new Supervisor({ dataDir, logger, backend: 'cpu', checkpointEverySeconds: 3600, chunkMs: 10, ...(exporter ? { exporter } : {}) });
}

describe('Supervisor', { timeout: 180_000 }, () => {
  let dataDir: string;
  let supervisor: Supervisor;
  const events: RunEvent[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plasticd-supervisor-'));
    supervisor = newSupervisor(dataDir);
    supervisor.onEvent((event) => events.push(event));
    await supervisor.start([tinyContinual('bits')]);
  });

  after(async () => {
    await supervisor.shutdown(5000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts configured agents in workers and delivers their events in seq order', async () => {
    assert.equal(supervisor.ready(), true);
    await waitFor('three windows', async () => supervisor.getAgent('bits').windows >= 3, 30_000);
    const seqs = events.filter((event) => event.agent === 'bits').map((event) => event.seq);
    assert.deepEqual(seqs, seqs.map((_, index) => index + 1), 'seq 1, 2, 3, … with no gap');
    assert.equal(events[0].kind, 'state');
    const detail = supervisor.getAgent('bits');
    assert.equal(detail.state, 'running');
    assert.equal(detail.env, 'stream:bit-flipping');
    assert.equal(detail.agentKind, 'continual');
    assert.ok(detail.lastWindow !== null && detail.lastWindow.report.window >= 3);
  });

  it('serves window history from the run log with report.window > since', async () => {
    const windows = await supervisor.windows('bits', { since: 1, limit: 2 });
    assert.deepEqual(windows.map((event) => event.report.window), [2, 3]);
  });

  it('rejects unknown ids, duplicate ids, bad specs and wrong state changes with their codes', async () => {
    assert.throws(() => supervisor.getAgent('nope'), { code: 'agent_not_found' });
    await assert.rejects(supervisor.createAgent(tinyContinual('bits')), { code: 'agent_exists' });
    await assert.rejects(supervisor.createAgent({ id: 'bad', agent: { kind: 'dqn' } }), { code: 'invalid_spec' });
    await assert.rejects(supervisor.resumeAgent('bits'), { code: 'invalid_state' });
  });

  it('refuses a spec whose run cannot be built, leaving no directory behind', async () => {
    // A regularizer the DQN agent cannot apply passes the schema but fails when the worker builds the run.
    const spec = { id: 'unbuildable', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' }, networks: { engine: 'typed' }, regularizers: { l2: {} } };
    await assert.rejects(supervisor.createAgent(spec), { code: 'invalid_spec' });
    assert.throws(() => supervisor.getAgent('unbuildable'), { code: 'agent_not_found' });
    await assert.rejects(stat(join(dataDir, 'agents', 'unbuildable')), { code: 'ENOENT' });
  });

  it('pauses (with a checkpoint), resets units on demand, patches and resumes', async () => {
    const paused = await supervisor.pauseAgent('bits');
    assert.equal(paused.state, 'paused');
    assert.equal(paused.lastCheckpointStep, paused.steps);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(supervisor.getAgent('bits').steps, paused.steps, 'no training while paused');

    const { resets } = await supervisor.resetAgentUnits('bits', { units: 1 });
    assert.equal(resets, 1, 'one mature unit of the single hidden layer');

    const patched = await supervisor.patchAgent('bits', { description: 'patched', learningRate: 0.005, resetPolicy: { kind: 'none' } });
    assert.equal((patched.spec as { description: string }).description, 'patched');
    assert.equal((patched.spec as { monitor: { resetPolicy: { kind: string } } }).monitor.resetPolicy.kind, 'none');
    assert.equal(patched.state, 'paused', 'a patch keeps the agent paused');
    assert.equal(patched.steps, paused.steps, 'rebuilding for the new policy restores the run where it was');

    await supervisor.resumeAgent('bits');
    await waitFor('training again', async () => supervisor.getAgent('bits').steps > paused.steps, 30_000);
    const seqs = events.filter((event) => event.agent === 'bits').map((event) => event.seq);
    assert.ok(seqs.every((seq, index) => index === 0 || seq === seqs[index - 1] + 1), 'seqs stay contiguous across the rebuild');
  });

  it('puts a diverging agent in error with the reason and keeps the others running', async () => {
    const spec = tinyContinual('diverges', { agent: { kind: 'continual', hiddenUnits: [8], optimizer: { kind: 'sgd', learningRate: 1e30 } } });
    await supervisor.createAgent(spec);
    await waitFor('error', async () => supervisor.getAgent('diverges').state === 'error', 30_000);
    assert.match(supervisor.getAgent('diverges').reason ?? '', /non_finite_loss/);
    const steps = supervisor.getAgent('bits').steps;
    await waitFor('bits still training', async () => supervisor.getAgent('bits').steps > steps, 30_000);
    await supervisor.deleteAgent('diverges');
    await assert.rejects(stat(join(dataDir, 'agents', 'diverges')), { code: 'ENOENT' });
  });

  it('resumes from the shutdown checkpoint in a new supervisor: counters, seq and exporter totals continue', async () => {
    const registry = new Registry();
    const exporter = new PrometheusExporter({ registry, version: 'test', backend: () => 'cpu', defaultMetrics: false });
    await supervisor.shutdown(10_000);
    const stopped = supervisor.getAgent('bits');
    const lastSeq = Math.max(...events.filter((event) => event.agent === 'bits').map((event) => event.seq));

    const second = newSupervisor(dataDir, exporter);
    const resumedEvents: RunEvent[] = [];
    second.onEvent((event) => resumedEvents.push(event));
    try {
      await second.start([]);
      const resumed = second.getAgent('bits');
      assert.equal(resumed.state, 'running');
      assert.equal(resumed.lastCheckpointStep, stopped.steps, 'the shutdown checkpoint is the last step trained');
      assert.ok(resumed.steps >= stopped.steps);
      assert.ok(resumed.windows >= stopped.windows);
      assert.equal((resumed.spec as { description: string }).description, 'patched', 'the patched spec was stored');
      await waitFor('new events', async () => resumedEvents.some((event) => event.kind === 'window'), 30_000);
      assert.equal(resumedEvents[0].seq, lastSeq + 1, 'the event seq continues after the last logged event');
      const windows = await second.windows('bits', { since: 0, limit: 100_000 });
      const numbers = windows.map((event) => event.report.window);
      assert.deepEqual(numbers, numbers.map((_, index) => index + 1));
      const text = await registry.metrics();
      const total = /plasticd_windows_total\{agent="bits"\} (\d+)/.exec(text);
      assert.ok(total !== null && Number(total[1]) >= stopped.windows, 'exporter counters restored from the checkpoint');
    } finally {
      await second.shutdown(10_000);
    }
  });
});
