import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AgentDirectory, deleteAgent, listAgents } from '../../../src/daemon/store/index.ts';
import type { StoreLogger } from '../../../src/daemon/store/index.ts';
import { processStartTime } from '../../../src/daemon/store/agent-lock.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { eventFor } from './fixtures/crash-model.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const isLocked = (error: unknown) => error instanceof PlasticdError && error.code === 'agent-locked';

async function writeLock(dataDir: string, agent: string, lock: Record<string, unknown>): Promise<void> {
  await mkdir(join(dataDir, 'agents', agent), { recursive: true });
  const full = { hostname: hostname(), processStart: null, token: 'someone', acquiredAt: 0, ...lock };
  await writeFile(join(dataDir, 'agents', agent, 'lock'), JSON.stringify(full));
}

describe('AgentDirectory', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plasticd-agents-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lays out spec, run log, lock and checkpoints as the on-disk contract says', async () => {
    await mkdir(join(dataDir, 'agents', 'dqn-1'), { recursive: true });
    await writeFile(join(dataDir, 'agents', 'dqn-1', '.spec.json.tmp-99-1'), '{"half": ');
    const directory = await AgentDirectory.open(dataDir, 'dqn-1');
    const spec = { id: 'dqn-1', env: 'CartPole-v1', nested: { lr: 0.001 } };
    await directory.writeSpec(spec);
    directory.runLog.append(eventFor('dqn-1', 1));
    await directory.checkpoint({ w: new Float32Array([1, 2]) }, { step: 10, eventSeq: 1 });
    assert.deepEqual((await readdir(directory.path)).sort(), ['checkpoints', 'lock', 'run-log.jsonl', 'spec.json']);
    assert.deepEqual((await readdir(join(directory.path, 'checkpoints'))).sort(), ['ckpt-000000001.bin', 'manifest.json']);
    assert.deepEqual(await directory.readSpec(), spec);
    assert.ok((await readFile(join(directory.path, 'run-log.jsonl'), 'utf8')).startsWith('{"seq":1,'), 'the checkpoint synced the log first');
    await directory.close();
    assert.deepEqual((await readdir(directory.path)).sort(), ['checkpoints', 'run-log.jsonl', 'spec.json'], 'close releases the lock');
  });

  it('resumes from the latest checkpoint, dropping later log lines, or from scratch without one', async () => {
    const directory = await AgentDirectory.open(dataDir, 'a');
    for (let seq = 1; seq <= 5; seq++) directory.runLog.append(eventFor('a', seq));
    assert.deepEqual(await directory.resume(), { checkpoint: null, droppedEvents: 5, nextSeq: 1 });
    for (let seq = 1; seq <= 8; seq++) directory.runLog.append(eventFor('a', seq));
    await directory.checkpoint({ at: 6 }, { step: 60, eventSeq: 6 });
    directory.runLog.append(eventFor('a', 9));
    await directory.close();

    const reopened = await AgentDirectory.open(dataDir, 'a');
    const resumed = await reopened.resume();
    assert.deepEqual(resumed.checkpoint?.payload, { at: 6 });
    assert.equal(resumed.droppedEvents, 3);
    assert.equal(resumed.nextSeq, 7);
    assert.deepEqual((await reopened.runLog.read()).map((event) => event.seq), [1, 2, 3, 4, 5, 6]);
    await reopened.close();
  });

  it('refuses a second writer in the same process until the first closes', async () => {
    const first = await AgentDirectory.open(dataDir, 'a');
    await assert.rejects(AgentDirectory.open(dataDir, 'a'), isLocked);
    await first.close();
    await (await AgentDirectory.open(dataDir, 'a')).close();
  });

  it('refuses a writer while another live process holds the directory, and takes over once it was killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, 'a'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    await assert.rejects(AgentDirectory.open(dataDir, 'a'), (error: unknown) => isLocked(error) && new RegExp(`process ${child.pid} on`).test((error as Error).message));
    await assert.rejects(deleteAgent(dataDir, 'a'), isLocked);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const warnings: string[] = [];
    const logger: StoreLogger = { info: () => undefined, warn: (_details, message) => void warnings.push(message) };
    const directory = await AgentDirectory.open(dataDir, 'a', { logger });
    assert.match(warnings[0], /taking over a stale agent lock/);
    await directory.close();
  });

  it('judges locks of dead pids, reused pids and an earlier life of this pid stale, and other hosts held', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await once(sleeper, 'spawn');
    try {
      await writeLock(dataDir, 'live', { pid: sleeper.pid, processStart: processStartTime(sleeper.pid!) });
      await assert.rejects(AgentDirectory.open(dataDir, 'live'), isLocked);
      await writeLock(dataDir, 'reused', { pid: sleeper.pid, processStart: 1 });
      await (await AgentDirectory.open(dataDir, 'reused')).close();
      await writeLock(dataDir, 'dead', { pid: 2 ** 22 + 12345 });
      await (await AgentDirectory.open(dataDir, 'dead')).close();
      await writeLock(dataDir, 'mine', { pid: process.pid });
      await (await AgentDirectory.open(dataDir, 'mine')).close();
      await writeLock(dataDir, 'elsewhere', { pid: 1, hostname: 'another-host' });
      await assert.rejects(AgentDirectory.open(dataDir, 'elsewhere'), /in use by process 1 on another-host/);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('lists agents that have a spec and deletes an agent directory', async () => {
    for (const id of ['b', 'a', 'no-spec']) {
      const directory = await AgentDirectory.open(dataDir, id);
      if (id !== 'no-spec') await directory.writeSpec({ id });
      await directory.close();
    }
    await mkdir(join(dataDir, 'agents', '.deleted-old-1-2'), { recursive: true });
    const warnings: string[] = [];
    const logger: StoreLogger = { info: () => undefined, warn: (_details, message) => void warnings.push(message) };
    assert.deepEqual(await listAgents(dataDir, { logger }), [
      { id: 'a', spec: { id: 'a' } },
      { id: 'b', spec: { id: 'b' } },
    ]);
    assert.match(warnings[0], /no spec\.json/);
    assert.ok(!(await readdir(join(dataDir, 'agents'))).includes('.deleted-old-1-2'), 'leftovers of an interrupted delete are removed');

    assert.equal(await deleteAgent(dataDir, 'a'), true);
    assert.equal(await deleteAgent(dataDir, 'a'), false);
    const open = await AgentDirectory.open(dataDir, 'b');
    await assert.rejects(deleteAgent(dataDir, 'b'), isLocked);
    await open.remove();
    assert.deepEqual((await readdir(join(dataDir, 'agents'))).sort(), ['no-spec']);
    assert.deepEqual(await listAgents(join(dataDir, 'nothing-here')), []);
  });

  it('rejects agent ids that are not a single safe path segment', async () => {
    for (const id of ['..', '../x', 'a/b', '', '.hidden']) {
      await assert.rejects(AgentDirectory.open(dataDir, id), (error: unknown) => error instanceof PlasticdError && error.code === 'invalid-agent-id');
    }
  });

  it('accepts a pino logger', async () => {
    const logger: StoreLogger = pino({ level: 'silent' });
    await (await AgentDirectory.open(dataDir, 'p', { logger })).close();
  });
});
