/**
 * Starts a real Prometheus (the Debian package `prometheus`, which ships promtool too) on a free
 * loopback port with a temporary config and storage directory, for end-to-end tests. Everything is
 * bounded by timeouts and `stop()` kills the process and removes the directory; a process exit hook
 * kills it too if a test dies first. Tests should skip when `prometheusAvailable()` is false.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BINARY = process.env.PLASTICD_PROMETHEUS_BIN ?? 'prometheus';
export const PROMTOOL_BINARY = process.env.PLASTICD_PROMTOOL_BIN ?? 'promtool';

/** Whether the prometheus and promtool binaries can be run. */
export function prometheusAvailable(): boolean {
  const ok = (binary: string) => spawnSync(binary, ['--version'], { timeout: 10_000, stdio: 'ignore' }).status === 0;
  return ok(PROMETHEUS_BINARY) && ok(PROMTOOL_BINARY);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PromtoolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs promtool with `args`, feeding `input` on stdin. */
export function promtool(args: string[], input?: string): PromtoolResult {
  const result = spawnSync(PROMTOOL_BINARY, args, { input, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export interface StartPrometheusOptions {
  /** host:port of each target, all in one job named `plasticd`. */
  scrapeTargets?: string[];
  /** Whole scrape_configs instead (e.g. a shipped file_sd job); `job` names the one `scrapes()` counts. */
  scrapeConfigs?: unknown[];
  /** The job whose targets `scrapes()` counts. Default 'plasticd'. */
  job?: string;
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** Default '1s'. */
  scrapeInterval?: string;
  /** Default: the scrape interval. */
  evaluationInterval?: string;
  metricsPath?: string;
  /** How long to wait for /-/ready. Default 30 s. */
  startTimeoutMs?: number;
}

/** One sample of an instant-query result. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface QueryResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: VectorSample[] | [number, string] };
  error?: string;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  /** GET a path of the HTTP API and parse the JSON. */
  api<T = unknown>(path: string): Promise<T>;
  /** Instant query through /api/v1/query. */
  query(expr: string): Promise<QueryResponse>;
  /** Successful scrapes so far of the least-scraped target. */
  scrapes(): Promise<number>;
  /** Waits until every target has been scraped successfully at least `count` times in all. */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  /** The last lines Prometheus logged (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  let lastError: unknown;
  // The port may be taken between freePort() and Prometheus binding it: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(options: StartPrometheusOptions, port: number): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'plasticd-prometheus-'));
  const scrapeInterval = options.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: scrapeInterval, evaluation_interval: options.evaluationInterval ?? scrapeInterval, scrape_timeout: scrapeInterval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.scrapeConfigs ?? [{ job_name: 'plasticd', metrics_path: options.metricsPath ?? '/metrics', static_configs: [{ targets: options.scrapeTargets ?? [] }] }],
  };
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2)); // JSON is YAML
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BINARY,
    [`--config.file=${configPath}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (log = (log + chunk).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(url, child, options.startTimeoutMs ?? 30_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
    return (await response.json()) as T;
  };
  const query = (expr: string) => api<QueryResponse>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
  const scrapes = async (): Promise<number> => {
    const response = await query(`min(sum_over_time(up{job="${options.job ?? 'plasticd'}"}[1h]))`);
    const result = response.data?.result;
    return Array.isArray(result) && result.length > 0 ? Number((result[0] as VectorSample).value[1]) : 0;
  };
  const waitForScrapes = async (count: number, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await scrapes()) >= count) return;
      await sleep(250);
    }
    const targets = await api<unknown>('/api/v1/targets').catch((e) => String(e));
    throw new Error(`Prometheus did not complete ${count} successful scrapes in ${timeoutMs} ms; targets: ${JSON.stringify(targets)}; log: ${log}`);
  };
  return { url, dir, api, query, scrapes, waitForScrapes, logs: () => log, stop };
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited early (${child.exitCode ?? child.signalCode}): ${log()}`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`prometheus was not ready within ${timeoutMs} ms: ${log()}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
