/**
 * Bad input against the REAL daemon (`plasticd serve` in a child process, agents training in worker
 * threads): the generated malformed HTTP requests of test/daemon/helpers/http-fuzz-cases.ts and the
 * malformed websocket messages of test/daemon/helpers/feed-fuzz-frames.ts each get a 4xx JSON error /
 * an error message, and afterwards the daemon still serves and its agents still train. Then slow
 * websocket clients that never read do not grow the daemon's resident memory (read from its own
 * /metrics, process_resident_memory_bytes) beyond a bound while an agent kept paused until then
 * floods the feed (and the feed's dropped/coalesced counters show the clients really fell behind).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Rng } from '../../src/util/rng.ts';
import { errorMessageSchema } from '../../src/config/feed-messages.ts';
import { generateCases, KNOWN_AGENTS } from '../daemon/helpers/http-fuzz-cases.ts';
import { HANG_MS, runFuzzCases } from '../daemon/helpers/http-fuzz-client.ts';
import { badFrame } from '../daemon/helpers/feed-fuzz-frames.ts';
import { FeedClient } from '../daemon/feed/feed-test-kit.ts';
import { DaemonFixture, getJson, send, tinyContinual, tinyDqn, waitFor } from './helpers/daemon.ts';
import type { DaemonProcess } from './helpers/daemon.ts';

const HTTP_CASES = 1000;
const WS_FRAMES = 1000;
const MiB = 1024 * 1024;
/** How much the daemon's RSS may grow while slow clients hold the feed (a leak would be unbounded). */
const RSS_BOUND = 96 * MiB;

interface Summary {
  id: string;
  state: string;
  steps: number;
}

async function agents(url: string): Promise<Map<string, Summary>> {
  const { body } = await getJson<{ agents: Summary[] }>(`${url}/api/agents`);
  return new Map(body.agents.map((agent) => [agent.id, agent]));
}

/** A gauge or counter of the daemon's /metrics (the first sample of the family). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(HANG_MS) })).text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  assert.ok(match, `${name} in /metrics`);
  return Number(match[1]);
}

/** alpha and beta are running and have taken more steps than in `before`. */
async function stillTraining(url: string, before: Map<string, Summary>): Promise<void> {
  await waitFor('agents still training', async () => {
    const now = await agents(url);
    return KNOWN_AGENTS.every((id) => now.get(id)?.state === 'running' && now.get(id)!.steps > before.get(id)!.steps);
  }, 60_000);
}

function socketOf(client: FeedClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

describe('the real daemon under bad input', { timeout: 300_000 }, () => {
  const fixture = new DaemonFixture();
  let daemon: DaemonProcess;
  let port = 0;

  before(async () => {
    // The fuzz cases know two agents, alpha and beta. 'firehose' (paused until the slow-client test)
    // floods the feed: a window and a units snapshot of 2 × 256 units every 10 examples.
    const firehose = tinyContinual('firehose', { windowLength: 10, agent: { kind: 'continual', hiddenUnits: [256, 256] }, monitor: { probeSize: 16, audit: null, curvature: null, outputGxd: false } });
    await fixture.setup({ agents: [tinyContinual(KNOWN_AGENTS[0]), tinyDqn(KNOWN_AGENTS[1]), firehose] });
    daemon = await fixture.start();
    port = Number(new URL(daemon.url).port);
    await waitFor('readiness', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 120_000);
    await waitFor('all agents training', async () => [...(await agents(daemon.url)).values()].every((agent) => agent.state === 'running' && agent.steps > 0), 120_000);
    assert.equal((await send('POST', `${daemon.url}/api/agents/firehose/pause`)).status, 200);
  });

  after(async () => {
    await fixture.stop();
  });

  it(`answers ${HTTP_CASES} generated malformed requests with a 4xx JSON error, then still serves and trains`, async () => {
    const before = await agents(daemon.url);
    const { byKind, byStatus, byCode } = await runFuzzCases({ url: daemon.url, port }, generateCases(20_261_121, HTTP_CASES), 25, async () => {
      assert.equal((await getJson(`${daemon.url}/healthz`)).status, 200);
    });
    assert.equal([...byKind.values()].reduce((a, b) => a + b, 0), HTTP_CASES);
    assert.equal(byKind.size, 10, `every generator ran: ${[...byKind.keys()]}`);
    assert.ok(!byStatus.has(500));
    for (const code of ['invalid_json', 'invalid_body', 'invalid_spec', 'body_too_large', 'agent_not_found', 'not_found']) {
      assert.ok((byCode.get(code) ?? 0) > 0, `some case answered ${code}: ${JSON.stringify([...byCode])}`);
    }
    // Nothing was created or deleted, and a well-formed round trip still works.
    assert.deepEqual([...(await agents(daemon.url)).keys()].sort(), [...before.keys()].sort());
    const paused = await send('POST', `${daemon.url}/api/agents/alpha/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal((await send('POST', `${daemon.url}/api/agents/alpha/resume`)).status, 200);
    await stillTraining(daemon.url, await agents(daemon.url));
  });

  it(`answers ${WS_FRAMES} malformed websocket messages with an error each, while a good client gets its events`, async () => {
    const feedUrl = `${daemon.url.replace(/^http/, 'ws')}/feed`;
    const rng = new Rng(2025);
    const frames = Array.from({ length: WS_FRAMES }, () => badFrame(rng));
    const good = await FeedClient.connect(feedUrl);
    await good.subscribe({ agents: [KNOWN_AGENTS[1]], kinds: ['window'] });
    const bad = await FeedClient.connect(feedUrl);
    const before = await agents(daemon.url);
    // Batches below the feed's consecutive-error limit, each followed by a valid ping.
    for (let start = 0; start < frames.length; start += 20) {
      for (const frame of frames.slice(start, start + 20)) bad.ws.send(frame.data, { binary: frame.binary });
      await bad.sync();
    }
    const errors = bad.messages.filter((message) => message.type === 'error');
    assert.equal(errors.length, frames.length, 'one error per malformed message');
    errors.forEach((error, i) => {
      assert.ok(errorMessageSchema.safeParse(error).success);
      assert.equal(error.code, frames[i].code, `frame ${i} (${frames[i].what})`);
    });
    assert.equal(bad.closeCode, null, 'bad messages alone never close the connection');
    await stillTraining(daemon.url, before);
    await waitFor('window events for the good client', async () => good.events().length > 0, 30_000);
    assert.ok(good.events().every((message) => message.event.agent === KNOWN_AGENTS[1] && message.event.kind === 'window'));
    good.close();
    bad.close();
  });

  it('keeps its resident memory bounded while slow clients never read the feed', async (t) => {
    const feedUrl = `${daemon.url.replace(/^http/, 'ws')}/feed`;
    const paused = (await agents(daemon.url)).get('firehose')!.steps;
    assert.equal((await send('POST', `${daemon.url}/api/agents/firehose/resume`)).status, 200);
    await waitFor('the firehose running', async () => (await agents(daemon.url)).get('firehose')!.steps > paused, 60_000);
    const rssBefore = await metric(daemon.url, 'process_resident_memory_bytes');
    const droppedBefore = await metric(daemon.url, 'plasticd_feed_dropped_messages_total');
    const coalescedBefore = await metric(daemon.url, 'plasticd_feed_coalesced_messages_total');
    const slow: FeedClient[] = [];
    for (let k = 0; k < 4; k++) {
      const client = await FeedClient.connect(feedUrl, { autoPong: true });
      await client.subscribe({ agents: '*', kinds: ['window', 'reset', 'episode', 'shift', 'state', 'units'], since: 0 });
      socketOf(client).pause();
      slow.push(client);
    }
    const before = await agents(daemon.url);
    let rssMax = rssBefore;
    let dropped = 0;
    let coalesced = 0;
    // Until the clients' buffers are full (the kernel's socket buffers absorb the first megabytes),
    // then 10 s more while the feed coalesces and drops for them; RSS sampled throughout.
    const started = Date.now();
    let behindSince: number | null = null;
    while (Date.now() - started < 90_000 && (behindSince === null || Date.now() - behindSince < 10_000)) {
      rssMax = Math.max(rssMax, await metric(daemon.url, 'process_resident_memory_bytes'));
      dropped = (await metric(daemon.url, 'plasticd_feed_dropped_messages_total')) - droppedBefore;
      coalesced = (await metric(daemon.url, 'plasticd_feed_coalesced_messages_total')) - coalescedBefore;
      if (behindSince === null && dropped + coalesced > 0) behindSince = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const published = (await agents(daemon.url)).get('firehose')!.steps - before.get('firehose')!.steps;
    t.diagnostic(`rss ${(rssBefore / MiB).toFixed(0)} → max ${(rssMax / MiB).toFixed(0)} MiB; feed dropped ${dropped}, coalesced ${coalesced}; firehose ${published} examples (${Math.round(published / 10)} windows) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.ok(dropped + coalesced > 0, 'the slow clients fell behind (otherwise this test shows nothing)');
    assert.ok(rssMax - rssBefore < RSS_BOUND, `rss grew by ${((rssMax - rssBefore) / MiB).toFixed(1)} MiB`);
    assert.equal((await getJson(`${daemon.url}/healthz`)).status, 200);
    await stillTraining(daemon.url, await agents(daemon.url));
    for (const client of slow) {
      socketOf(client).resume();
      client.close();
    }
    assert.equal((await send('DELETE', `${daemon.url}/api/agents/firehose`)).status, 204);
  });
});
