/**
 * The real daemon as users run it (`plasticd serve` in a child process, tiny agents in worker
 * threads): health and readiness, the agent lifecycle over HTTP, Prometheus series per agent, a
 * diverging agent going to `error` alone, and kill -9 mid-run followed by a restart on the same data
 * dir (every agent resumes from its checkpoint, counters continue, the run log's windows stay
 * contiguous with no duplicate and no gap).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/config/default-config.ts';
import { parseDaemonConfig } from '../../src/config/daemon-config.ts';
import { DaemonFixture, getJson, REPO, send, tinyContinual, tinyDqn, waitFor } from './helpers/daemon.ts';
import type { DaemonProcess } from './helpers/daemon.ts';

interface Summary {
  id: string;
  state: string;
  reason?: string;
  steps: number;
  windows: number;
  lastCheckpointStep: number | null;
}

async function agents(url: string): Promise<Map<string, Summary>> {
  const { body } = await getJson<{ agents: Summary[] }>(`${url}/api/agents`);
  return new Map(body.agents.map((agent) => [agent.id, agent]));
}

describe('plasticd serve (the real daemon in a child process)', { timeout: 300_000 }, () => {
  const fixture = new DaemonFixture();
  let daemon: DaemonProcess;

  before(async () => {
    await fixture.setup({ checkpointEverySeconds: 2, shutdownTimeoutSeconds: 10, agents: [tinyContinual('bits'), tinyDqn('cartpole')] });
    daemon = await fixture.start();
    await waitFor('readiness', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 120_000);
  });

  after(async () => {
    await fixture.stop();
  });

  it('answers /healthz and /readyz and lists the configured agents as running', async () => {
    assert.deepEqual((await getJson(`${daemon.url}/healthz`)).body, { status: 'ok' });
    assert.deepEqual((await getJson(`${daemon.url}/readyz`)).body, { status: 'ready' });
    const list = await agents(daemon.url);
    assert.deepEqual([...list.keys()].sort(), ['bits', 'cartpole']);
    for (const agent of list.values()) assert.equal(agent.state, 'running', `${agent.id}: ${agent.reason ?? ''}`);
    await waitFor('steps on both agents', async () => [...(await agents(daemon.url)).values()].every((agent) => agent.windows >= 2));
  });

  it('creates, pauses, resumes, checkpoints and deletes an agent over HTTP', async () => {
    const created = await send('POST', `${daemon.url}/api/agents`, tinyContinual('extra'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.id, 'extra');
    assert.equal(created.body.state, 'running');
    assert.equal((await send('POST', `${daemon.url}/api/agents`, tinyContinual('extra'))).status, 409);

    const paused = await send('POST', `${daemon.url}/api/agents/extra/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.state, 'paused');
    assert.equal(typeof paused.body.lastCheckpointStep, 'number', 'pausing writes a checkpoint');
    const stepsWhilePaused = paused.body.steps;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await getJson(`${daemon.url}/api/agents/extra`)).body.steps, stepsWhilePaused, 'a paused agent does not train');
    assert.equal((await send('POST', `${daemon.url}/api/agents/extra/pause`)).status, 409);

    const resumed = await send('POST', `${daemon.url}/api/agents/extra/resume`);
    assert.equal(resumed.body.state, 'running');
    await waitFor('training after resume', async () => (await getJson(`${daemon.url}/api/agents/extra`)).body.steps > stepsWhilePaused);

    const checkpoint = await send('POST', `${daemon.url}/api/agents/extra/checkpoint`);
    assert.equal(checkpoint.status, 200);
    assert.ok(checkpoint.body.step > stepsWhilePaused && checkpoint.body.eventSeq > 0, JSON.stringify(checkpoint.body));

    const metricsBefore = await (await fetch(`${daemon.url}/metrics`)).text();
    assert.match(metricsBefore, /plasticd_build_info\{version="[^"]+",backend="[^"]+",libm="(host|javascript)"\} 1/);
    for (const id of ['bits', 'cartpole', 'extra']) assert.match(metricsBefore, new RegExp(`plasticd_agent_state\\{agent="${id}",state="running"\\} 1`));
    assert.match(metricsBefore, /plasticd_\w+\{agent="cartpole",network="q"/);

    assert.equal((await send('DELETE', `${daemon.url}/api/agents/extra`)).status, 204);
    assert.equal((await getJson(`${daemon.url}/api/agents/extra`)).status, 404);
    const metricsAfter = await (await fetch(`${daemon.url}/metrics`)).text();
    assert.doesNotMatch(metricsAfter, /agent="extra"/, 'series of a deleted agent go away');
  });

  it('puts a diverging agent in error while the others keep running', async () => {
    const nan = tinyContinual('diverges', { agent: { kind: 'continual', hiddenUnits: [8], optimizer: { kind: 'sgd', learningRate: 1e30 } } });
    const created = await send('POST', `${daemon.url}/api/agents`, nan);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const failed = await waitFor('the error state', async () => {
      const agent = (await agents(daemon.url)).get('diverges');
      return agent?.state === 'error' ? agent : undefined;
    });
    assert.match(failed.reason ?? '', /non_finite_loss/);
    const before = await agents(daemon.url);
    await waitFor('the others still training', async () => {
      const now = await agents(daemon.url);
      return ['bits', 'cartpole'].every((id) => now.get(id)!.state === 'running' && now.get(id)!.steps > before.get(id)!.steps);
    });
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    assert.match(metrics, /plasticd_agent_state\{agent="diverges",state="error"\} 1/);
  });

  it('after kill -9 and a restart, resumes every agent from its checkpoint with contiguous windows', async () => {
    // Wait for a periodic checkpoint of both agents that is past some real work.
    const checkpointed = await waitFor('periodic checkpoints', async () => {
      const list = await agents(daemon.url);
      const ok = ['bits', 'cartpole'].every((id) => (list.get(id)!.lastCheckpointStep ?? 0) > 0);
      return ok ? list : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // events after the checkpoint, to be cut on resume
    const beforeKill = await agents(daemon.url);
    daemon.child.kill('SIGKILL');
    await daemon.exited;

    daemon = await fixture.start();
    await waitFor('readiness after restart', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 120_000);
    const resumed = await agents(daemon.url);
    for (const id of ['bits', 'cartpole']) {
      const agent = resumed.get(id)!;
      assert.equal(agent.state, 'running', `${id}: ${agent.reason ?? ''}`);
      assert.ok(agent.lastCheckpointStep !== null && agent.lastCheckpointStep >= checkpointed.get(id)!.lastCheckpointStep!, `${id} resumed from its last checkpoint`);
      assert.ok(agent.lastCheckpointStep! <= beforeKill.get(id)!.steps);
      assert.ok(agent.steps >= agent.lastCheckpointStep!, `${id}: counters continue from the checkpoint (steps ${agent.steps})`);
      assert.ok(agent.windows > 0, `${id}: windows continue`);
    }
    // Train past the pre-kill point, then check the run log.
    await waitFor('progress past the kill', async () => {
      const now = await agents(daemon.url);
      return ['bits', 'cartpole'].every((id) => now.get(id)!.windows > beforeKill.get(id)!.windows + 1);
    }, 120_000);
    for (const id of ['bits', 'cartpole']) {
      const { body } = await getJson<{ windows: Array<{ seq: number; report: { window: number } }> }>(`${daemon.url}/api/agents/${id}/windows?since=0&limit=100000`);
      const numbers = body.windows.map((event) => event.report.window);
      assert.deepEqual(numbers, numbers.map((_, index) => index + 1), `${id}: window numbers 1..N with no duplicate or gap`);
      const seqs = body.windows.map((event) => event.seq);
      assert.ok(seqs.every((seq, index) => index === 0 || seq > seqs[index - 1]), `${id}: seqs increase`);
    }
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    const steps = /plasticd_env_steps_total\{agent="bits"\} (\d+)/.exec(metrics);
    assert.ok(steps !== null, 'plasticd_env_steps_total of bits is exported');
    assert.ok(Number(steps[1]) >= checkpointed.get('bits')!.lastCheckpointStep!, 'the steps counter continues after the restart');
  });

  it('shuts down gracefully on SIGTERM within the bounded time', async () => {
    const started = Date.now();
    daemon.child.kill('SIGTERM');
    const { code } = await daemon.exited;
    assert.equal(code, 0, daemon.output().slice(-2000));
    assert.ok(Date.now() - started < 15_000);
  });
});

describe('plasticd command line', { timeout: 120_000 }, () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PLASTICD_TOKEN: '' } });
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plasticd-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints usage for --help', () => {
    const result = run(['--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /plasticd serve \[options\]/);
    assert.match(result.stdout, /--data-dir/);
  });

  it('exits 2 naming an unknown flag or command', () => {
    const flag = run(['serve', '--colour']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--colour/);
    const command = run(['frobnicate']);
    assert.equal(command.status, 2);
    assert.match(command.stderr, /unknown command 'frobnicate'/);
  });

  it('exits 2 naming the bad keys of an invalid config file', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'port: eighty\ncheckpointEverySeconds: 60\nagents:\n  - id: x\n    stream: { id: bit-flipping }\n    agent: { kind: continual, hiddenUnits: [0] }\n');
    const result = run(['serve', '--config', path]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /port:/);
    assert.match(result.stderr, /agents\.0\.agent\.hiddenUnits\.0/);
  });

  it('refuses to listen on every interface without a token', () => {
    const result = run(['serve', '--host', '0.0.0.0', '--port', '0', '--no-default-agents', '--data-dir', join(dir, 'data')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /without an API token/);
  });

  it('ships an embedded default config that validates', () => {
    const config = parseDaemonConfig(DEFAULT_CONFIG);
    assert.ok(config.agents.length >= 4);
    const ids = config.agents.map((agent) => agent.id);
    assert.ok(ids.some((id) => id.endsWith('-gxd')) && ids.some((id) => id.endsWith('-plain')), 'pairs with and without GXD resets');
  });
});
