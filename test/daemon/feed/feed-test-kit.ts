/**
 * Shared pieces of the feed tests: a real HTTP server on a free loopback port with a FeedGateway
 * attached, a real ws client that records every message and can wait for one, and realistic run
 * events (window reports shaped like the monitor's, units events with per-unit utilities).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { FeedGateway } from '../../../src/daemon/feed/index.ts';
import type { FeedGatewayOptions } from '../../../src/daemon/feed/index.ts';
import type { RunEvent, RunEventKind, UnitsEvent, WindowEvent } from '../../../src/run/events.ts';
import type { Rng } from '../../../src/util/rng.ts';

export interface FeedHarness {
  server: Server;
  gateway: FeedGateway;
  url: string;
  stop(): Promise<void>;
}

export async function startFeed(options: Omit<FeedGatewayOptions, 'server'> = {}): Promise<FeedHarness> {
  const server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gateway = new FeedGateway({ server, path: '/feed', ...options });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    gateway,
    url: `ws://127.0.0.1:${port}/feed`,
    async stop() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Message = Record<string, any>;

export class FeedClient {
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: Array<{ predicate: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private closeWaiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = String(reason);
      for (const resolve of this.closeWaiters) resolve();
    });
    ws.on('error', () => {});
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<FeedClient> {
    const ws = new WebSocket(url, options);
    const client = new FeedClient(ws);
    const hello = client.next((m) => m.type === 'hello');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await hello;
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message from now on (or already received, if `includeSeen`) that matches. */
  next(predicate: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  async subscribe(request: Record<string, unknown>): Promise<Message> {
    const ack = this.next((m) => m.type === 'subscribed');
    this.send({ type: 'subscribe', ...request });
    return ack;
  }

  /** Round trip through the server: every message sent before it has been handled when this resolves. */
  async sync(): Promise<void> {
    const id = `sync-${this.messages.length}-${Math.floor(performance.now() * 1000)}`;
    const pong = this.next((m) => m.type === 'pong' && m.id === id);
    this.send({ type: 'ping', id });
    await pong;
  }

  events(): Message[] {
    return this.messages.filter((m) => m.type === 'event');
  }

  closed(timeoutMs = 5000): Promise<void> {
    if (this.closeCode !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client not closed within ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Per-agent event seq counters, like the run loop keeps. */
export class EventFactory {
  private readonly seqs = new Map<string, number>();
  private step = 0;

  constructor(private readonly rng: Rng) {}

  make(agent: string, kind: RunEventKind): RunEvent {
    const seq = (this.seqs.get(agent) ?? 0) + 1;
    this.seqs.set(agent, seq);
    this.step += 100;
    const header = { agent, seq, step: this.step, time: 1_700_000_000_000 + this.step };
    switch (kind) {
      case 'window':
        return { ...header, kind, report: this.windowReport(seq) } satisfies WindowEvent;
      case 'units':
        return { ...header, kind, network: 'q', layers: this.unitLayers() } satisfies UnitsEvent;
      case 'reset':
        return {
          ...header,
          kind,
          reset: {
            network: 'q',
            layer: 0,
            layerName: 'hidden1',
            step: this.step,
            policy: 'replacement-rate',
            criterion: 'gxd',
            units: [this.rng.int(64)],
            scores: [this.rng.random()],
            predictedCost: this.rng.random(),
            costCriterion: 'gxd',
            biasTransfer: null,
          },
        };
      case 'episode':
        return { ...header, kind, episode: seq, return: this.rng.uniform(0, 500), length: this.rng.int(500) + 1, terminated: true };
      case 'shift':
        return { ...header, kind, shift: seq, shiftKind: 'physics', params: { length: this.rng.uniform(0.3, 1.2) } };
      case 'state':
        return { ...header, kind, state: 'running' };
    }
  }

  /** A window report of a three-hidden-layer network tracking three utility criteria (~3.5 KB of JSON). */
  private windowReport(window: number): WindowEvent['report'] {
    const r = () => Math.round(this.rng.random() * 1e6) / 1e6;
    const summary = () => ({ min: r(), p10: r(), p50: r(), p90: r(), max: r(), mean: r() });
    const layers = ['hidden1', 'hidden2', 'hidden3'].map((layer, index) => ({
      network: 'q',
      layer,
      index,
      units: 64,
      deadRatio: r(),
      dormantRatio: r(),
      dormantRatioTau01: r(),
      saturatedRatio: null,
      duplicateRatio: r(),
      duplicatePearsonRatio: r(),
      effectiveRank: r() * 64,
      srank: r() * 64,
      stableRank: r() * 64,
      participationRatio: r() * 64,
      weightMagnitude: r(),
      utilities: { gxd: summary(), contribution: summary(), activation: summary() },
      resets: this.rng.int(3),
    }));
    return {
      window,
      step: this.step,
      networks: [
        { network: 'q', weightMagnitude: r(), drift: r(), gradNorm: r(), updateNorm: r(), loss: r(), curvatureSrank: null, updates: 250, resets: { gxd: 1 } },
      ],
      layers,
      performance: { episodeReturn: r() * 500, episodes: 3 },
      audit: [],
      durationSeconds: r(),
    };
  }

  private unitLayers(): UnitsEvent['layers'] {
    return ['hidden1', 'hidden2', 'hidden3'].map((layer, index) => ({
      layer,
      index,
      criterion: 'gxd',
      utilities: Array.from({ length: 128 }, () => Math.round(this.rng.random() * 1e6) / 1e6),
      ages: Array.from({ length: 128 }, () => this.rng.int(10000)),
    }));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until true or the timeout passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
