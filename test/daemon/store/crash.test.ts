import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../../src/util/rng.ts';
import { AgentDirectory } from '../../../src/daemon/store/index.ts';
import { eventFor, verifyCheckpoint } from './fixtures/crash-model.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const KILLS = 30;
const AGENT = 'crashy';

/**
 * The writer's command line. Starting it through tsx costs about a second per kill, so it is
 * bundled once with esbuild (installed as tsx's own dependency) when available.
 */
async function writerCommand(directory: string): Promise<string[]> {
  try {
    const esbuild = await import('esbuild');
    const outfile = join(directory, 'crash-writer.mjs');
    await esbuild.build({ entryPoints: [WRITER], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error' });
    return [outfile];
  } catch {
    return ['--import', 'tsx', WRITER];
  }
}

function waitForReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /ready (\d+)\n/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready: ${stderr}`)));
  });
}

async function verifyDirectory(dataDir: string): Promise<number> {
  const directory = await AgentDirectory.open(dataDir, AGENT);
  try {
    const { checkpoint, nextSeq } = await directory.resume();
    const eventSeq = checkpoint?.entry.eventSeq ?? 0;
    if (checkpoint !== null) verifyCheckpoint(checkpoint.payload, eventSeq);
    assert.deepEqual(checkpoint?.skipped ?? [], [], 'a kill never makes the manifest point at an unreadable checkpoint');
    assert.equal(nextSeq, eventSeq + 1);
    const events = await directory.runLog.read({ since: 0, limit: Number.MAX_SAFE_INTEGER });
    assert.equal(events.length, eventSeq, 'the log holds exactly the events the checkpoint covers');
    events.forEach((event, index) => assert.deepEqual(event, eventFor(AGENT, index + 1)));
    return eventSeq;
  } finally {
    await directory.close();
  }
}

describe('the agent store under kill -9', () => {
  it(`resumes from a verified checkpoint with a gap-free, duplicate-free run log after ${KILLS} random kills`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'plasticd-crash-'));
    const writer = await writerCommand(dataDir);
    const rng = new Rng(20261120);
    const agentPath = join(dataDir, 'agents', AGENT);
    const leftovers = { tornLogTails: 0, temporaryFiles: 0, unnamedCheckpoints: 0 };
    let eventSeq = 0;
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        const child = spawn(process.execPath, [...writer, dataDir, AGENT], { stdio: ['ignore', 'pipe', 'pipe'] });
        const nextSeq = await waitForReady(child);
        assert.equal(nextSeq, eventSeq + 1, 'the writer resumes right after the last verified checkpoint');
        await new Promise((resolve) => setTimeout(resolve, rng.uniform(20, 300)));
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;

        const log = await readFile(join(agentPath, 'run-log.jsonl'));
        if (log.byteLength > 0 && log[log.byteLength - 1] !== 0x0a) leftovers.tornLogTails += 1;
        const manifest = JSON.parse(await readFile(join(agentPath, 'checkpoints', 'manifest.json'), 'utf8').catch(() => '{"checkpoints":[]}'));
        const named = new Set(manifest.checkpoints.map((entry: { file: string }) => entry.file));
        for (const name of await readdir(join(agentPath, 'checkpoints'))) {
          if (name.includes('.tmp-')) leftovers.temporaryFiles += 1;
          else if (name.endsWith('.bin') && !named.has(name)) leftovers.unnamedCheckpoints += 1;
        }

        const verified = await verifyDirectory(dataDir);
        assert.ok(verified >= eventSeq, `a checkpoint never goes backwards (${verified} < ${eventSeq})`);
        eventSeq = verified;
      }
      assert.ok(eventSeq >= 37 * 5, `the writer made progress across kills (eventSeq ${eventSeq})`);

      // Continuing by hand from eventSeq + 1 keeps the log contiguous.
      const directory = await AgentDirectory.open(dataDir, AGENT);
      const { nextSeq } = await directory.resume();
      for (let seq = nextSeq; seq < nextSeq + 10; seq++) directory.runLog.append(eventFor(AGENT, seq));
      await directory.close();
      const reopened = await AgentDirectory.open(dataDir, AGENT);
      const events = await reopened.runLog.read({ since: 0, limit: Number.MAX_SAFE_INTEGER });
      assert.deepEqual(
        events.map((event) => event.seq),
        Array.from({ length: eventSeq + 10 }, (_, index) => index + 1),
      );
      await reopened.close();
      t.diagnostic(`writer: ${writer.join(' ')}`);
      t.diagnostic(`final eventSeq ${eventSeq}; state found after kills: ${JSON.stringify(leftovers)}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
