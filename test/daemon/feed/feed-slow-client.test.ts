import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Socket } from 'node:net';
import { Rng } from '../../../src/util/rng.ts';
import type { RunEvent, RunEventKind } from '../../../src/run/events.ts';
import { EventFactory, FeedClient, startFeed, waitFor, delay } from './feed-test-kit.ts';
import type { FeedHarness } from './feed-test-kit.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function settledMemory(): { heapUsed: number; external: number; rss: number } {
  for (let i = 0; i < 3; i++) collectGarbage();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heapUsed, external, rss };
}

const MiB = 1024 * 1024;
const AGENTS = ['cartpole-gxd', 'cartpole-plain', 'acrobot-gxd', 'mnist-permuted'];
// Mostly windows and units (the heavy, coalescable ones), some episodes/resets/shifts/states.
const MIX: RunEventKind[] = ['window', 'units', 'window', 'episode', 'units', 'reset', 'window', 'episode', 'shift', 'state'];

/** Realistic events from a small pool, restamped with fresh per-agent seqs (generation would dominate the test's time). */
function eventStream(seed: number): () => { event: RunEvent; bytes: number } {
  const factory = new EventFactory(new Rng(seed));
  const pool = Array.from({ length: 200 }, (_, i) => factory.make(AGENTS[i % AGENTS.length], MIX[i % MIX.length]));
  const sizes = pool.map((event) => JSON.stringify(event).length);
  const seqs = new Map<string, number>();
  let i = 0;
  return () => {
    const index = i++ % pool.length;
    const template = pool[index];
    const seq = (seqs.get(template.agent) ?? 0) + 1;
    seqs.set(template.agent, seq);
    return { event: { ...template, seq, step: seq * 100 }, bytes: sizes[index] };
  };
}

function socketOf(client: FeedClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

let harness: FeedHarness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

describe('FeedGateway with a slow client', () => {
  it('keeps memory bounded while a client never reads 50,000 published events', async (t) => {
    const highWater = 1 * MiB;
    harness = await startFeed({ maxBufferedBytes: highWater, heartbeatMs: 600_000, slowClientTimeoutMs: 600_000 });
    const gateway = harness.gateway;
    const next = eventStream(11);
    // Fill the ring first so its (bounded) size is part of the baseline.
    for (let i = 0; i < 12_000; i++) gateway.publish(next().event);

    const slow = await FeedClient.connect(harness.url);
    await slow.subscribe({ agents: '*', kinds: ['window', 'reset', 'episode', 'shift', 'state', 'units'] });
    const fast = await FeedClient.connect(harness.url);
    await fast.subscribe({ agents: ['cartpole-gxd'], kinds: ['shift'] });
    socketOf(slow).pause();
    const before = settledMemory();

    const total = 50_000;
    let publishedBytes = 0;
    let maxPending = 0;
    let maxBuffered = 0;
    let maxEventBytes = 0;
    const lastWindowSeq = new Map<string, number>();
    const shiftSeqs: number[] = [];
    for (let i = 0; i < total; i++) {
      const { event, bytes } = next();
      const seq = gateway.publish(event);
      publishedBytes += bytes;
      maxEventBytes = Math.max(maxEventBytes, bytes);
      if (event.kind === 'window') lastWindowSeq.set(event.agent, seq);
      if (event.kind === 'shift' && event.agent === 'cartpole-gxd') shiftSeqs.push(seq);
      if (i % 500 === 499) {
        for (const info of gateway.clients()) {
          maxPending = Math.max(maxPending, info.pending);
          maxBuffered = Math.max(maxBuffered, info.bufferedAmount);
        }
        await new Promise((resolve) => setImmediate(resolve)); // let the sockets do I/O
      }
    }
    const afterPublish = settledMemory();
    const heapGrowth = afterPublish.heapUsed - before.heapUsed;
    const externalGrowth = afterPublish.external - before.external;
    const rssGrowth = afterPublish.rss - before.rss;
    const stats = gateway.stats();
    t.diagnostic(
      `published ${total} events, ${(publishedBytes / MiB).toFixed(1)} MiB of JSON (largest ${maxEventBytes} B); ` +
        `heap growth ${(heapGrowth / MiB).toFixed(2)} MiB, external ${(externalGrowth / MiB).toFixed(2)} MiB, rss growth ${(rssGrowth / MiB).toFixed(2)} MiB; ` +
        `max pending ${maxPending}, max bufferedAmount ${(maxBuffered / MiB).toFixed(2)} MiB; ` +
        `dropped ${stats.dropped}, coalesced ${stats.coalesced}`,
    );

    assert.ok(publishedBytes > 64 * MiB, 'enough data that an unbounded queue would show');
    // One pending entry per agent+kind at most: window, state, and units of the one network.
    assert.ok(maxPending <= AGENTS.length * 3, `pending ${maxPending}`);
    assert.ok(maxBuffered <= highWater + 2 * maxEventBytes + 1024, `bufferedAmount ${maxBuffered}`);
    assert.ok(heapGrowth < 16 * MiB, `heap grew by ${(heapGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(externalGrowth < 16 * MiB, `external memory grew by ${(externalGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(rssGrowth < 64 * MiB, `rss grew by ${(rssGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(stats.dropped > 10_000, `dropped ${stats.dropped}`);
    assert.ok(stats.coalesced > 10_000, `coalesced ${stats.coalesced}`);
    assert.equal(stats.clients, 2);

    // The well-behaved client got everything it asked for meanwhile.
    await fast.sync();
    assert.deepEqual(fast.events().map((m) => m.seq), shiftSeqs);

    // Once the slow client reads again it learns what it missed and gets the latest window of each agent.
    socketOf(slow).resume();
    await slow.sync();
    await waitFor(() => gateway.clients().every((c) => c.pending === 0), 5000, 'pending flushed');
    await slow.sync();
    const gap = slow.messages.find((m) => m.type === 'gap');
    assert.equal(gap?.reason, 'slow-client');
    assert.ok(gap.dropped > 0 && gap.from <= gap.to);
    const events = slow.events();
    for (let k = 1; k < events.length; k++) assert.ok(events[k].seq > events[k - 1].seq, 'seq increases');
    for (const agent of AGENTS) {
      const windows = events.filter((m) => m.event.agent === agent && m.event.kind === 'window');
      assert.equal(windows.at(-1)?.seq, lastWindowSeq.get(agent), `latest window of ${agent}`);
    }
  });

  it('closes a client that stays above the high-water mark for too long (1013) and frees it', async () => {
    harness = await startFeed({ maxBufferedBytes: 256 * 1024, heartbeatMs: 10_000, slowClientTimeoutMs: 300, closeGraceMs: 200 });
    const gateway = harness.gateway;
    const next = eventStream(12);
    const slow = await FeedClient.connect(harness.url, { autoPong: true });
    await slow.subscribe({ agents: '*', kinds: ['window', 'units', 'episode'] });
    socketOf(slow).pause();
    const deadline = performance.now() + 3000;
    while (gateway.stats().slowClientsClosed === 0 && performance.now() < deadline) {
      for (let i = 0; i < 200; i++) gateway.publish(next().event);
      await delay(20);
    }
    assert.equal(gateway.stats().slowClientsClosed, 1);
    await waitFor(() => gateway.stats().clients === 0, 2000, 'slow client removed');
    socketOf(slow).resume();
    await slow.closed();
    assert.ok([1013, 1006].includes(slow.closeCode as number), `close code ${slow.closeCode}`);
  });
});
