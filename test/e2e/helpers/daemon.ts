/**
 * Runs the REAL daemon as a child process (`node --import tsx src/cli.ts serve --config <file>
 * --data-dir <dir> --port 0`), reads the URL from its first stdout line, and offers small HTTP
 * helpers. Every process started here is killed in `stop()` (SIGTERM, then SIGKILL), so a failing
 * test leaves nothing running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = new URL('../../../', import.meta.url).pathname;

/** Cheap agents: a continual learner on bit-flipping and a tiny DQN on drifting CartPole. */
export const TINY_MONITOR = { probeSize: 32, audit: null, curvature: null };

export function tinyContinual(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    windowLength: 200,
    stream: { id: 'bit-flipping', options: { flipAfter: 1000 } },
    agent: { kind: 'continual', hiddenUnits: [8] },
    networks: { engine: 'typed' },
    monitor: TINY_MONITOR,
    ...extra,
  };
}

export function tinyDqn(id: string): Record<string, unknown> {
  return {
    id,
    windowLength: 200,
    env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 1000 } },
    agent: { kind: 'dqn', hidden: [16], learningStarts: 100, bufferSize: 1000, batchSize: 16, explorationSteps: 500, trainFrequency: 4 },
    networks: { engine: 'typed' },
    monitor: TINY_MONITOR,
  };
}

export interface DaemonProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class DaemonFixture {
  readonly processes: DaemonProcess[] = [];
  dir = '';
  configPath = '';
  dataDir = '';

  async setup(config: Record<string, unknown>): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'plasticd-e2e-'));
    this.dataDir = join(this.dir, 'data');
    this.configPath = join(this.dir, 'config.json');
    await writeFile(this.configPath, JSON.stringify({ port: 0, logLevel: 'warn', ...config }, null, 2));
  }

  /** Starts `plasticd serve` and waits for its "listening on" line (bounded). */
  async start(extraArgs: string[] = [], timeoutMs = 60_000): Promise<DaemonProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', this.configPath, '--data-dir', this.dataDir, '--port', '0', ...extraArgs],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PLASTICD_TOKEN: '' } },
    );
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon did not print its URL within ${timeoutMs} ms:\n${text}`)), timeoutMs);
      const check = () => {
        const match = /listening on (http:\/\/\S+?) /.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout!.on('data', check);
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`daemon exited (${code}) before listening:\n${text}`));
      });
    });
    const running: DaemonProcess = { url, child, output: () => text, exited };
    this.processes.push(running);
    return running;
  }

  /** SIGTERMs every process still running (SIGKILL after `graceMs`), then deletes the temp dir. */
  async stop(graceMs = 20_000): Promise<void> {
    await Promise.all(
      this.processes.map(async ({ child, exited }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function send<T = any>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    signal: AbortSignal.timeout(60_000),
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
