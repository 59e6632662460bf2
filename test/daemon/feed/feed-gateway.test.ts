import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Rng } from '../../../src/util/rng.ts';
import { serverMessageSchema } from '../../../src/config/feed-messages.ts';
import type { RunEventKind } from '../../../src/run/events.ts';
import { EventFactory, FeedClient, startFeed, waitFor, delay } from './feed-test-kit.ts';
import type { FeedHarness, Message } from './feed-test-kit.ts';

let harness: FeedHarness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('FeedGateway', () => {
  it('greets a client with the current seq and the event kinds', async () => {
    let now = 1_000;
    harness = await startFeed({ clock: { now: () => now } });
    now = 5_000;
    const factory = new EventFactory(new Rng(1));
    harness.gateway.publish(factory.make('a', 'episode'));
    harness.gateway.publish(factory.make('a', 'episode'));
    const client = await FeedClient.connect(harness.url);
    const hello = client.messages[0];
    assert.equal(hello.type, 'hello');
    assert.equal(hello.seq, 2);
    assert.equal(hello.oldestSeq, 1);
    assert.equal(hello.startedAt, 1_000);
    assert.equal(hello.serverTime, 5_000);
    assert.deepEqual(hello.kinds, ['window', 'reset', 'episode', 'shift', 'state', 'units']);
    assert.deepEqual(hello.defaultKinds, ['window', 'reset', 'episode', 'shift', 'state']);
    assert.ok(serverMessageSchema.safeParse(hello).success);
  });

  it('delivers only the subscribed agents and kinds', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(2));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: ['a', 'c'], kinds: ['window', 'shift'] });
    const expected: number[] = [];
    const kinds: RunEventKind[] = ['window', 'reset', 'episode', 'shift', 'state', 'units'];
    for (let i = 0; i < 120; i++) {
      const agent = ['a', 'b', 'c'][i % 3];
      const kind = kinds[Math.floor(i / 3) % kinds.length];
      const seq = harness.gateway.publish(factory.make(agent, kind));
      if ((agent === 'a' || agent === 'c') && (kind === 'window' || kind === 'shift')) expected.push(seq);
    }
    await client.sync();
    const events = client.events();
    assert.deepEqual(events.map((m) => m.seq), expected);
    for (const m of events) {
      assert.ok(['a', 'c'].includes(m.event.agent));
      assert.ok(['window', 'shift'].includes(m.event.kind));
      assert.ok(serverMessageSchema.safeParse(m).success);
    }
  });

  it('numbers every message with an increasing feed seq and keeps the per-agent seq in the event', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(3));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: '*', kinds: ['window', 'reset', 'episode', 'shift', 'state', 'units'] });
    const kinds: RunEventKind[] = ['window', 'reset', 'episode', 'shift', 'state', 'units'];
    for (let i = 0; i < 300; i++) harness.gateway.publish(factory.make(`agent-${i % 4}`, kinds[i % kinds.length]));
    await client.sync();
    const events = client.events();
    assert.equal(events.length, 300);
    events.forEach((m, i) => assert.equal(m.seq, i + 1));
    const perAgent = events.filter((m) => m.event.agent === 'agent-1').map((m) => m.event.seq);
    assert.deepEqual(perAgent, Array.from({ length: 75 }, (_, i) => i + 1));
  });

  it('sends units events only to clients that ask for them', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(4));
    const plain = await FeedClient.connect(harness.url);
    const heatmap = await FeedClient.connect(harness.url);
    await plain.subscribe({ agents: '*' });
    await heatmap.subscribe({ agents: ['a'], kinds: ['units'] });
    harness.gateway.publish(factory.make('a', 'units'));
    harness.gateway.publish(factory.make('a', 'window'));
    harness.gateway.publish(factory.make('a', 'units'));
    await plain.sync();
    await heatmap.sync();
    assert.deepEqual(plain.events().map((m) => m.event.kind), ['window']);
    assert.deepEqual(heatmap.events().map((m) => [m.seq, m.event.kind]), [[1, 'units'], [3, 'units']]);
    assert.equal(heatmap.events()[0].event.layers[0].utilities.length, 128);
  });

  it('replays exactly the missed events when a client reconnects with since', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(5));
    const first = await FeedClient.connect(harness.url);
    await first.subscribe({ agents: ['a', 'b'] });
    const expected: number[] = [];
    const publish = (i: number) => {
      const agent = ['a', 'b', 'z'][i % 3];
      const seq = harness!.gateway.publish(factory.make(agent, i % 2 ? 'window' : 'episode'));
      if (agent !== 'z') expected.push(seq);
    };
    for (let i = 0; i < 50; i++) publish(i);
    await first.sync();
    const lastSeen = first.events().at(-1)!.seq as number;
    first.close();
    await first.closed();
    // Missed while disconnected.
    for (let i = 0; i < 70; i++) publish(i);
    const second = await FeedClient.connect(harness.url);
    const ack = await second.subscribe({ agents: ['a', 'b'], since: lastSeen });
    assert.equal(ack.seq, 120);
    // And live after the replay.
    for (let i = 0; i < 10; i++) expected.push(harness.gateway.publish(factory.make('a', 'state')));
    await second.sync();
    const all = [...first.events(), ...second.events()].map((m) => m.seq as number);
    assert.equal(expected.length, 34 + 47 + 10);
    assert.deepEqual(all, expected, 'no duplicate, no gap');
    assert.equal(second.messages.filter((m) => m.type === 'gap').length, 0);
  });

  it('reports a gap when since is older than the ring holds, then replays what it has', async () => {
    harness = await startFeed({ ringSize: 20 });
    const factory = new EventFactory(new Rng(6));
    for (let i = 0; i < 50; i++) harness.gateway.publish(factory.make('a', 'episode'));
    const client = await FeedClient.connect(harness.url);
    assert.equal(client.messages[0].oldestSeq, 31);
    await client.subscribe({ agents: '*', since: 10 });
    await client.sync();
    const gap = client.messages.find((m) => m.type === 'gap')!;
    assert.deepEqual(gap, { type: 'gap', from: 11, to: 30, reason: 'ring' });
    assert.deepEqual(client.events().map((m) => m.seq), Array.from({ length: 20 }, (_, i) => 31 + i));
    assert.ok(client.messages.indexOf(gap) < client.messages.indexOf(client.events()[0]));
  });

  it('replays a backlog larger than the high-water mark completely, then continues live', async () => {
    harness = await startFeed({ maxBufferedBytes: 16 * 1024 });
    const factory = new EventFactory(new Rng(11));
    for (let i = 0; i < 2000; i++) harness.gateway.publish(factory.make(`agent-${i % 2}`, 'window'));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: ['agent-0'], since: 500 });
    // Live events published while the replay is still draining must come after it, in order.
    for (let i = 0; i < 20; i++) harness.gateway.publish(factory.make('agent-0', 'episode'));
    await waitFor(() => client.events().length === 750 + 20, 10000, 'replay and live events');
    const seqs = client.events().map((m) => m.seq as number);
    const expected = [...Array.from({ length: 750 }, (_, i) => 501 + 2 * i), ...Array.from({ length: 20 }, (_, i) => 2001 + i)];
    assert.deepEqual(seqs, expected);
    const stats = harness.gateway.stats();
    assert.equal(stats.dropped, 0);
    assert.equal(stats.coalesced, 0);
  });

  it('evicts the oldest events beyond the ring byte budget and reports the gap', async () => {
    const factory = new EventFactory(new Rng(12));
    const size = JSON.stringify(factory.make('a', 'window')).length;
    harness = await startFeed({ ringMaxBytes: 10 * (size + 200) });
    for (let i = 0; i < 40; i++) harness.gateway.publish(factory.make('a', 'window'));
    const stats = harness.gateway.stats();
    assert.ok(stats.ringEvents >= 8 && stats.ringEvents <= 10, `ring holds ${stats.ringEvents}`);
    assert.ok(stats.ringBytes <= 10 * (size + 200));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: '*', since: 0 });
    await client.sync();
    const gap = client.messages.find((m) => m.type === 'gap')!;
    assert.equal(gap.from, 1);
    assert.equal(gap.to, 40 - stats.ringEvents);
    assert.equal(client.events().length, stats.ringEvents);
  });

  it('replays only the latest units event per agent and network', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(7));
    const seqs: Array<[number, string]> = [];
    for (let i = 0; i < 30; i++) {
      const agent = i % 2 ? 'a' : 'b';
      const kind: RunEventKind = i % 3 === 0 ? 'window' : 'units';
      seqs.push([harness.gateway.publish(factory.make(agent, kind)), `${agent}/${kind}`]);
    }
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: '*', kinds: ['units', 'window'], since: 0 });
    await client.sync();
    const lastUnits = (agent: string) => Math.max(...seqs.filter(([, k]) => k === `${agent}/units`).map(([s]) => s));
    const windows = seqs.filter(([, k]) => k.endsWith('window')).map(([s]) => s);
    const expected = [...windows, lastUnits('a'), lastUnits('b')].sort((x, y) => x - y);
    assert.deepEqual(client.events().map((m) => m.seq), expected);
    assert.equal(harness.gateway.stats().ringEvents, windows.length + 2);
  });

  it('treats a since beyond the head (the gateway restarted) as a replay of everything buffered', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(8));
    for (let i = 0; i < 5; i++) harness.gateway.publish(factory.make('a', 'episode'));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: '*', since: 9000 });
    await client.sync();
    assert.deepEqual(client.events().map((m) => m.seq), [1, 2, 3, 4, 5]);
  });

  it('stops sending what a client unsubscribes from', async () => {
    harness = await startFeed();
    const factory = new EventFactory(new Rng(9));
    const client = await FeedClient.connect(harness.url);
    await client.subscribe({ agents: '*', kinds: ['episode', 'window'] });
    const ack = client.next((m) => m.type === 'subscribed');
    client.send({ type: 'unsubscribe', agents: ['b'], kinds: ['window'] });
    assert.deepEqual((await ack).excludedAgents, ['b']);
    harness.gateway.publish(factory.make('a', 'episode'));
    harness.gateway.publish(factory.make('b', 'episode'));
    harness.gateway.publish(factory.make('a', 'window'));
    await client.sync();
    assert.deepEqual(client.events().map((m) => [m.event.agent, m.event.kind]), [['a', 'episode']]);
    const cleared = client.next((m) => m.type === 'subscribed');
    client.send({ type: 'unsubscribe' });
    assert.deepEqual((await cleared).kinds, []);
    harness.gateway.publish(factory.make('a', 'episode'));
    await client.sync();
    assert.equal(client.events().length, 1);
  });

  it('answers ping with pong carrying the id and the current seq', async () => {
    harness = await startFeed();
    harness.gateway.publish(new EventFactory(new Rng(10)).make('a', 'state'));
    const client = await FeedClient.connect(harness.url);
    const pong = client.next((m) => m.type === 'pong');
    client.send({ type: 'ping', id: 42 });
    const reply = await pong;
    assert.equal(reply.id, 42);
    assert.equal(reply.seq, 1);
    assert.equal(typeof reply.serverTime, 'number');
  });

  it('requires the token when one is configured: 401 without, accepted by header or query', async () => {
    harness = await startFeed({ token: 's3cret' });
    assert.equal(await upgradeStatus(harness.url), 401);
    assert.equal(await upgradeStatus(`${harness.url}?token=wrong`), 401);
    assert.equal(await upgradeStatus(harness.url, { Authorization: 'Bearer nope' }), 401);
    assert.equal(await upgradeStatus(harness.url, { Authorization: 'Bearer s3cret' }), 101);
    assert.equal(await upgradeStatus(`${harness.url}?token=s3cret`), 101);
    assert.equal(harness.gateway.stats().clients <= 2, true);
  });

  it('answers an upgrade on another path with 404', async () => {
    harness = await startFeed();
    assert.equal(await upgradeStatus(harness.url.replace('/feed', '/other')), 404);
  });

  it('terminates a client that does not answer pings', async () => {
    harness = await startFeed({ heartbeatMs: 150 });
    const dead = await FeedClient.connect(harness.url, { autoPong: false });
    const alive = await FeedClient.connect(harness.url);
    await dead.closed(3000);
    assert.equal(dead.closeCode, 1006, 'terminated, not closed with a handshake');
    await delay(200);
    assert.equal(alive.closeCode, null);
    assert.equal(harness.gateway.stats().deadClientsTerminated, 1);
    assert.equal(harness.gateway.stats().clients, 1);
  });

  it('closes a client whose frame exceeds maxPayload (1009)', async () => {
    harness = await startFeed({ maxPayload: 1024 });
    const client = await FeedClient.connect(harness.url);
    client.send({ type: 'ping', id: 'x'.repeat(2000) });
    await client.closed();
    assert.equal(client.closeCode, 1009);
  });

  it('closes a client after too many consecutive bad messages (1008), but a good one resets the count', async () => {
    harness = await startFeed({ maxConsecutiveErrors: 5 });
    const client = await FeedClient.connect(harness.url);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) client.send('{oops');
      await client.sync();
    }
    assert.equal(client.closeCode, null);
    for (let i = 0; i < 5; i++) client.send('{oops');
    await client.closed();
    assert.equal(client.closeCode, 1008);
    assert.equal(client.messages.filter((m: Message) => m.type === 'error').length, 17);
  });

  it('close() closes every client with 1001 and stops accepting', async () => {
    harness = await startFeed({ heartbeatMs: 50 });
    const clients = await Promise.all([1, 2, 3].map(() => FeedClient.connect(harness!.url)));
    await harness.gateway.close();
    await Promise.all(clients.map((c) => c.closed()));
    for (const c of clients) {
      assert.equal(c.closeCode, 1001);
      assert.equal(c.closeReason, 'server shutting down');
    }
    assert.equal(harness.gateway.stats().clients, 0);
    assert.throws(() => harness!.gateway.publish(new EventFactory(new Rng(1)).make('a', 'state')), /closed/);
    await waitFor(() => harness!.server.listenerCount('upgrade') === 0, 1000, 'upgrade listener removed');
  });
});
