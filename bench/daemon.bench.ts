/**
 * The daemon under load: the REAL daemon (`plasticd serve` in a child process) with 8 agents — the
 * default config's four (2 DQN on drifting CartPole, 2 continual learners on bit-flipping, monitor
 * on, GXD resets on half) twice over with other seeds — on whatever cores the machine has. Measures
 * `/metrics` scrape time (p50/p99 over ≥ 100 scrapes) and the main thread's event-loop lag while
 * training, read from the daemon's own prom-client metrics (nodejs_eventloop_lag_*_seconds, from
 * perf_hooks.monitorEventLoopDelay, reset at every scrape), plus each agent's speed and run-log growth.
 * Targets: scrape p99 < 50 ms, lag p99 < 50 ms. Run alone: `npm run bench -- daemon [--scrapes=N] [--warmup=S]`.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../src/config/default-config.ts';
import { DaemonFixture, getJson, waitFor } from '../test/e2e/helpers/daemon.ts';

interface Summary {
  id: string;
  state: string;
  agentKind: string;
  steps: number;
}

function flag(name: string, fallback: number): number {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

async function agents(url: string): Promise<Summary[]> {
  return (await getJson<{ agents: Summary[] }>(`${url}/api/agents`)).body.agents;
}

async function runLogBytes(dataDir: string, id: string): Promise<number> {
  try {
    return (await stat(join(dataDir, 'agents', id, 'run-log.jsonl'))).size;
  } catch {
    return 0;
  }
}

const fmt = (seconds: number) => (Number.isFinite(seconds) ? (seconds * 1000).toFixed(1) : '–');

export default async function daemonBench(): Promise<void> {
  const scrapes = flag('scrapes', 150);
  const warmupSeconds = flag('warmup', 20);
  const specs = (DEFAULT_CONFIG.agents ?? []).flatMap((spec) => ['a', 'b'].map((copy, k) => ({ ...spec, id: `${spec.id}-${copy}`, seed: 10 + k })));
  const fixture = new DaemonFixture();
  await fixture.setup({ agents: specs, checkpointEverySeconds: 60 });
  try {
    const daemon = await fixture.start([], 180_000);
    await waitFor('readiness', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 180_000);
    await waitFor('all 8 agents training', async () => (await agents(daemon.url)).every((agent) => agent.state === 'running' && agent.steps > 0), 180_000);
    console.log(`8 agents running; warming up ${warmupSeconds} s, then ${scrapes} scrapes 200 ms apart`);
    await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
    await fetch(`${daemon.url}/metrics`).then((r) => r.text()); // resets the lag histogram

    const before = await agents(daemon.url);
    const bytesBefore = await Promise.all(before.map((agent) => runLogBytes(fixture.dataDir, agent.id)));
    const started = performance.now();
    const times: number[] = [];
    const lagP99: number[] = [];
    const lagMax: number[] = [];
    const lagMean: number[] = [];
    let size = 0;
    for (let k = 0; k < scrapes; k++) {
      const t0 = performance.now();
      const text = await (await fetch(`${daemon.url}/metrics`)).text();
      times.push(performance.now() - t0);
      size = text.length;
      lagP99.push(gauge(text, 'nodejs_eventloop_lag_p99_seconds'));
      lagMax.push(gauge(text, 'nodejs_eventloop_lag_max_seconds'));
      lagMean.push(gauge(text, 'nodejs_eventloop_lag_mean_seconds'));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const elapsed = (performance.now() - started) / 1000;
    const after = await agents(daemon.url);
    const bytesAfter = await Promise.all(after.map((agent) => runLogBytes(fixture.dataDir, agent.id)));

    const sortedTimes = [...times].sort((a, b) => a - b);
    const sortedP99 = lagP99.filter(Number.isFinite).sort((a, b) => a - b);
    const sortedMean = lagMean.filter(Number.isFinite).sort((a, b) => a - b);
    const verdict = (value: number) => (value < 50 ? 'ok' : 'OVER');
    const scrapeP99 = quantile(sortedTimes, 0.99);
    const worstLagP99 = (sortedP99.at(-1) ?? NaN) * 1000;
    console.log(`\n/metrics: ${scrapes} scrapes, ${(size / 1024).toFixed(0)} KiB each`);
    console.table([
      { what: 'scrape time (ms)', p50: quantile(sortedTimes, 0.5).toFixed(1), p99: scrapeP99.toFixed(1), max: sortedTimes.at(-1)!.toFixed(1), target: '< 50', verdict: verdict(scrapeP99) },
      {
        what: 'event-loop lag (ms), per scrape interval',
        p50: `mean ${fmt(quantile(sortedMean, 0.5))}, p99 ${fmt(quantile(sortedP99, 0.5))}`,
        p99: `p99 ${fmt(quantile(sortedP99, 0.99))}`,
        max: fmt(Math.max(...lagMax.filter(Number.isFinite))),
        target: '< 50 (p99)',
        verdict: verdict(worstLagP99),
      },
    ]);
    console.log(`\nagents over ${elapsed.toFixed(0)} s:`);
    console.table(after.map((agent, k) => {
      const was = before.find((b) => b.id === agent.id);
      const steps = agent.steps - (was?.steps ?? 0);
      const bytes = bytesAfter[k] - (bytesBefore[before.findIndex((b) => b.id === agent.id)] ?? 0);
      return {
        agent: agent.id,
        kind: agent.agentKind,
        state: agent.state,
        'steps/s': Math.round(steps / elapsed),
        'run log KB/min': ((bytes / elapsed) * 60 / 1000).toFixed(1),
        'bytes/step': steps > 0 ? (bytes / steps).toFixed(2) : '–',
      };
    }));
  } finally {
    await fixture.stop();
  }
}
