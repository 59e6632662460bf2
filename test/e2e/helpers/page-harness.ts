/**
 * TEST HARNESS for the live page, standing in for the daemon until the real one exists: a node:http
 * server with the real FeedGateway at /feed, the real serveWebAssets() at / and a few JSON routes
 * (GET /api/info, GET /api/agents, GET /api/agents/:id/windows?since=, POST /api/agents/:id/<action>)
 * over an in-memory agent list, plus `SyntheticRun`, which publishes realistic RunEvents (WindowReport
 * shape, 2 networks × 2 layers) for one agent. Every API request is recorded for assertions.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { FeedGateway } from '../../../src/daemon/feed/index.ts';
import { serveWebAssets } from '../../../src/daemon/web-assets.ts';
import { Rng } from '../../../src/util/rng.ts';
import type { AgentState, RunEvent, WindowEvent } from '../../../src/run/events.ts';
import type { LayerWindowMetrics, NetworkWindowMetrics } from '../../../monitoring/types.ts';

export interface HarnessAgent {
  id: string;
  env: string;
  state: AgentState;
  reason?: string;
  steps: number;
  episodes: number;
  lastReturn: number | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

const NETWORKS = ['q', 'target'];
const LAYERS = ['dense_0', 'dense_1'];
const UNITS = 32;

/** One agent's synthetic run: returns that climb, collapse at a shift and recover; slowly dying units. */
export class SyntheticRun {
  seq = 0;
  step = 0;
  window = 0;
  episode = 0;
  shifts = 0;
  private readonly rng: Rng;
  private lastShiftStep = 0;
  constructor(readonly agent: HarnessAgent, seed: number, private readonly resets: boolean) {
    this.rng = new Rng(seed);
  }

  private header(time: number) {
    return { agent: this.agent.id, seq: ++this.seq, step: this.step, time };
  }

  /** Skill in 0–1: grows with steps since the last shift. */
  private skill(): number {
    return 1 - Math.exp(-(this.step - this.lastShiftStep) / 6000);
  }

  /** One window's worth of events: episodes, maybe a reset, the window, and a units snapshot per network. */
  tick(time: number): RunEvent[] {
    const events: RunEvent[] = [];
    this.step += 1000;
    const returns: number[] = [];
    for (let k = 0; k < 3; k++) {
      this.episode++;
      const value = Math.max(8, 20 + 180 * this.skill() + this.rng.normal(0, 25));
      returns.push(value);
      events.push({ kind: 'episode', ...this.header(time), episode: this.episode, return: value, length: Math.round(value), terminated: value < 200 });
    }
    if (this.resets) {
      const units = [this.rng.int(UNITS), this.rng.int(UNITS)];
      events.push({
        kind: 'reset',
        ...this.header(time),
        reset: { network: 'q', layer: 1, layerName: 'dense_1', step: this.step, policy: 'replacement-rate', criterion: 'gxd', units, scores: [0.001, 0.002], predictedCost: 0.0031 + this.rng.uniform(0, 0.01), costCriterion: 'gxd', biasTransfer: null },
      });
    }
    this.window++;
    const aging = this.resets ? 0.04 : Math.min(0.5, this.window * 0.015);
    const layers: LayerWindowMetrics[] = [];
    const networks: NetworkWindowMetrics[] = [];
    for (const network of NETWORKS) {
      LAYERS.forEach((layer, index) => {
        const dormant = Math.min(1, aging * (index + 1) + this.rng.uniform(0, 0.03));
        layers.push({
          network, layer, index, units: UNITS,
          deadRatio: dormant / 2, dormantRatio: dormant, dormantRatioTau01: Math.min(1, dormant * 1.6),
          saturatedRatio: null, duplicateRatio: 0.02 + this.rng.uniform(0, 0.02), duplicatePearsonRatio: 0.05,
          effectiveRank: UNITS * (0.8 - dormant * 0.6), srank: Math.round(UNITS * (0.7 - dormant * 0.6)),
          stableRank: 3 + this.rng.uniform(0, 1), participationRatio: 6, weightMagnitude: 0.08,
          utilities: { gxd: { min: 0, p10: 1e-4, p50: 1e-3, p90: 1e-2, max: 0.05, mean: 4e-3 } }, resets: this.resets && index === 1 && network === 'q' ? 2 : 0,
        });
      });
      networks.push({ network, weightMagnitude: 0.1, drift: 0.3, gradNorm: 1.2, updateNorm: 0.002, loss: 0.5, curvatureSrank: null, updates: 250, resets: { gxd: this.resets ? 2 : 0 } });
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const report = { window: this.window, step: this.step, networks, layers, performance: { episodeReturn: mean, episodes: returns.length, loss: 0.5 }, audit: [], durationSeconds: 0.01 };
    events.push({ kind: 'window', ...this.header(time), report });
    for (const network of NETWORKS) {
      events.push({
        kind: 'units',
        ...this.header(time),
        network,
        layers: LAYERS.map((layer, index) => ({
          layer, index, criterion: 'gxd',
          utilities: Array.from({ length: UNITS }, (_, unit) => (unit < UNITS * aging * (index + 1) ? 0 : 10 ** (-4 + 2.5 * this.rng.random() + (unit % 7) / 7))),
          ages: Array.from({ length: UNITS }, () => this.step),
        })),
      });
    }
    this.agent.steps = this.step;
    this.agent.episodes = this.episode;
    this.agent.lastReturn = mean;
    return events;
  }

  shift(time: number): RunEvent {
    this.shifts++;
    this.lastShiftStep = this.step;
    return { kind: 'shift', ...this.header(time), shift: this.shifts, shiftKind: 'physics', params: { length: 0.5 + 0.25 * this.shifts } };
  }

  state(state: AgentState, time: number, reason?: string): RunEvent {
    this.agent.state = state;
    return reason === undefined ? { kind: 'state', ...this.header(time), state } : { kind: 'state', ...this.header(time), state, reason };
  }
}

export interface PageHarness {
  url: string;
  token: string;
  feed: FeedGateway;
  agents: HarnessAgent[];
  runs: Map<string, SyntheticRun>;
  requests: RecordedRequest[];
  /** Publishes one tick of every running agent (windows are also stored for the history route). */
  tick(): void;
  shift(agent: string): void;
  /** Destroys every open /feed connection's socket, as a network drop would (clients see 1006). */
  dropFeedConnections(): number;
  startTimer(intervalMs: number): void;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startPageHarness(token = 'harness-token'): Promise<PageHarness> {
  const agents: HarnessAgent[] = [
    { id: 'cartpole-gxd', env: 'CartPole-v1/drifting-length', state: 'running', steps: 0, episodes: 0, lastReturn: null },
    { id: 'cartpole-plain', env: 'CartPole-v1/drifting-length', state: 'running', steps: 0, episodes: 0, lastReturn: null },
  ];
  const runs = new Map(agents.map((agent, k) => [agent.id, new SyntheticRun(agent, 11 + k, k === 0)]));
  const windows = new Map<string, WindowEvent[]>(agents.map((agent) => [agent.id, []]));
  const requests: RecordedRequest[] = [];
  const assets = serveWebAssets();

  const api = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://harness');
    requests.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: { code: 'unauthorized', message: 'missing or wrong bearer token' } });
    if (url.pathname === '/api/info') return sendJson(res, 200, { name: 'plasticd', version: '0.1.0', backend: 'cpu' });
    if (url.pathname === '/api/agents' && req.method === 'GET') return sendJson(res, 200, { agents });
    const match = /^\/api\/agents\/([^/]+)(?:\/(windows|pause|resume|checkpoint|reset))?$/.exec(url.pathname);
    const agent = match ? agents.find((a) => a.id === decodeURIComponent(match[1])) : undefined;
    if (!match || !agent) return sendJson(res, 404, { error: { code: 'not-found', message: `no route or agent for ${url.pathname}` } });
    const [, , action] = match;
    if (action === 'windows' && req.method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? 0);
      return sendJson(res, 200, { windows: windows.get(agent.id)!.filter((w) => w.report.window > since) });
    }
    if (action && action !== 'windows' && req.method === 'POST') {
      const run = runs.get(agent.id)!;
      if (action === 'pause') feed.publish(run.state('paused', Date.now()));
      if (action === 'resume') feed.publish(run.state('running', Date.now()));
      return sendJson(res, 202, { agent: agent.id, action });
    }
    if (!action && req.method === 'GET') return sendJson(res, 200, agent);
    return sendJson(res, 405, { error: { code: 'method-not-allowed', message: `${req.method} ${url.pathname}` } });
  };

  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/api/')) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => api(req, res, body));
      return;
    }
    assets(req, res, () => sendJson(res, 404, { error: { code: 'not-found', message: req.url } }));
  });
  const feed = new FeedGateway({ server, path: '/feed', token });
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let timer: NodeJS.Timeout | undefined;
  const publish = (event: RunEvent): void => {
    if (event.kind === 'window') windows.get(event.agent)!.push(event);
    feed.publish(event);
  };
  const harness: PageHarness = {
    url: `http://127.0.0.1:${port}`,
    token,
    feed,
    agents,
    runs,
    requests,
    tick() {
      const now = Date.now();
      for (const agent of agents) if (agent.state === 'running') for (const event of runs.get(agent.id)!.tick(now)) publish(event);
    },
    shift(agent) {
      publish(runs.get(agent)!.shift(Date.now()));
    },
    dropFeedConnections() {
      const count = upgraded.size;
      for (const socket of upgraded) socket.destroy();
      return count;
    },
    startTimer(intervalMs) {
      timer = setInterval(() => harness.tick(), intervalMs);
    },
    async close() {
      clearInterval(timer);
      await feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return harness;
}
