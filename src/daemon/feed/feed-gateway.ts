/**
 * The websocket feed at /feed (protocol: docs/feed-protocol.md). A ws v8 server in `noServer` mode
 * that takes the upgrade itself on an injected node:http server (so it authenticates before the
 * handshake and express never sees the request), numbers every published RunEvent with a
 * gateway-wide feed seq, keeps a bounded ring for `since` replays (units events: only the latest
 * per agent/network), fans events out to subscribed clients under backpressure, and drops clients
 * that stop answering pings. Slow-client policy: client-session.ts.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { RUN_EVENT_KINDS } from '../../run/events.ts';
import type { RunEvent } from '../../run/events.ts';
import {
  DEFAULT_FEED_KINDS,
  FEED_CLOSE_CODES,
  FEED_PROTOCOL_VERSION,
} from '../../config/feed-messages.ts';
import type { ClientMessage, HelloMessage } from '../../config/feed-messages.ts';
import { PlasticdError } from '../../util/errors.ts';
import { RingBuffer } from './ring-buffer.ts';
import { ClientSession } from './client-session.ts';
import type { FeedBacklog, FeedCounters, FeedEntry, SessionInfo, SessionLimits } from './client-session.ts';
import { parseClientMessage } from './parse-client-message.ts';
import { isAuthorized, rejectUpgrade } from './upgrade-auth.ts';

export interface FeedLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface FeedClock {
  now(): number;
}

export interface FeedGatewayOptions {
  /** HTTP server whose `upgrade` requests on `path` the gateway takes. */
  server: Server;
  /** Default '/feed'. */
  path?: string;
  /** When set, the upgrade must carry `Authorization: Bearer <token>` or `?token=<token>`; else 401. */
  token?: string;
  /** Events kept for `since` replays (units events are kept apart, latest per agent/network). Default 10000. */
  ringSize?: number;
  /** Byte budget of the ring; the oldest events are evicted beyond it. Default 64 MiB. */
  ringMaxBytes?: number;
  /** Per-client high-water mark of `ws.bufferedAmount`: above it, coalesce or drop. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** A client whose buffer passes this is closed (1008). Default 4 × maxBufferedBytes. */
  hardLimitBytes?: number;
  /** A client above the high-water mark for longer than this is closed (1013). Default 30000 ms. */
  slowClientTimeoutMs?: number;
  /** Most coalesced events held per client (one per agent+kind, per network for units). Default 1024. */
  maxPendingPerClient?: number;
  /** Ping interval; a client that has not answered the previous ping is terminated. Default 15000 ms. */
  heartbeatMs?: number;
  /** Largest frame a client may send; larger ones close the connection (1009, by ws). Default 64 KiB. */
  maxPayload?: number;
  /** Consecutive bad messages after which a client is closed (1008). Default 50. */
  maxConsecutiveErrors?: number;
  /** Most simultaneous clients; further upgrades get 503. Default 1000. */
  maxClients?: number;
  /** How long a close handshake may take before the socket is destroyed. Default 1000 ms. */
  closeGraceMs?: number;
  logger?: FeedLogger;
  clock?: FeedClock;
}

export interface FeedStats {
  clients: number;
  /** Events (and control replies) not delivered to some client because it was too slow. */
  dropped: number;
  /** Events superseded by a newer one of the same agent+kind before a slow client could take them. */
  coalesced: number;
  published: number;
  slowClientsClosed: number;
  deadClientsTerminated: number;
  badMessages: number;
  ringEvents: number;
  ringBytes: number;
}

const silentLogger: FeedLogger = { debug() {}, info() {}, warn() {} };
const systemClock: FeedClock = { now: () => Date.now() };

export class FeedGateway {
  private readonly server: Server;
  private readonly path: string;
  private readonly token: string | undefined;
  private readonly ringMaxBytes: number;
  private readonly heartbeatMs: number;
  private readonly maxPayload: number;
  private readonly maxConsecutiveErrors: number;
  private readonly maxClients: number;
  private readonly limits: SessionLimits;
  private readonly logger: FeedLogger;
  private readonly clock: FeedClock;
  private readonly wss: WebSocketServer;
  private readonly ring: RingBuffer<FeedEntry>;
  private readonly latestUnits = new Map<string, FeedEntry>();
  private readonly sessions = new Set<ClientSession>();
  private readonly counters: FeedCounters = { dropped: 0, coalesced: 0, slowClientsClosed: 0 };
  private readonly backlog: FeedBacklog;
  private readonly heartbeat: NodeJS.Timeout;
  private seq = 0;
  private ringFloor = 0;
  private ringBytes = 0;
  private published = 0;
  private deadClientsTerminated = 0;
  private badMessages = 0;
  private nextClientId = 1;
  private readonly startedAt: number;
  private closed = false;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(request, socket, head);

  constructor(options: FeedGatewayOptions) {
    this.server = options.server;
    this.path = options.path ?? '/feed';
    this.token = options.token;
    if (this.token !== undefined && this.token.length === 0) {
      throw new PlasticdError('feed-config', 'feed token must be a non-empty string (omit it to disable auth)');
    }
    this.ring = new RingBuffer<FeedEntry>(options.ringSize ?? 10000);
    this.ringMaxBytes = positive('ringMaxBytes', options.ringMaxBytes ?? 64 * 1024 * 1024);
    const highWaterBytes = positive('maxBufferedBytes', options.maxBufferedBytes ?? 1024 * 1024);
    this.limits = {
      highWaterBytes,
      hardLimitBytes: positive('hardLimitBytes', options.hardLimitBytes ?? 4 * highWaterBytes),
      maxPendingPerClient: positive('maxPendingPerClient', options.maxPendingPerClient ?? 1024),
      slowClientTimeoutMs: positive('slowClientTimeoutMs', options.slowClientTimeoutMs ?? 30000),
      closeGraceMs: positive('closeGraceMs', options.closeGraceMs ?? 1000),
    };
    this.heartbeatMs = positive('heartbeatMs', options.heartbeatMs ?? 15000);
    this.maxPayload = positive('maxPayload', options.maxPayload ?? 64 * 1024);
    this.maxConsecutiveErrors = positive('maxConsecutiveErrors', options.maxConsecutiveErrors ?? 50);
    this.maxClients = positive('maxClients', options.maxClients ?? 1000);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.maxPayload, clientTracking: false });
    const gateway = this;
    this.backlog = {
      ring: this.ring,
      ringFloor: () => gateway.ringFloor,
      headSeq: () => gateway.seq,
      latestUnits: () => gateway.latestUnits.values(),
    };
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.tick(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Numbers the event with the next feed seq, buffers it and sends it to every subscribed client. Returns the seq. */
  publish(event: RunEvent): number {
    if (this.closed) throw new PlasticdError('feed-closed', 'cannot publish on a closed feed gateway');
    if (!RUN_EVENT_KINDS.includes(event.kind) || typeof event.agent !== 'string') {
      throw new PlasticdError('feed-bad-event', `feed events need an agent id and a kind in ${RUN_EVENT_KINDS.join(', ')}`);
    }
    const seq = this.seq + 1;
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch (error) {
      throw new PlasticdError('feed-bad-event', `event of agent ${event.agent} is not JSON-serialisable: ${(error as Error).message}`);
    }
    this.seq = seq;
    this.published++;
    const entry: FeedEntry = {
      seq,
      agent: event.agent,
      kind: event.kind,
      key: coalescingKey(event),
      data: `{"type":"event","seq":${seq},"event":${body}}`,
    };
    if (event.kind === 'units') this.latestUnits.set(entry.key as string, entry);
    else this.store(entry);
    for (const session of this.sessions) session.deliver(entry);
    return seq;
  }

  /** Counters for the metrics exporter. */
  stats(): FeedStats {
    return {
      clients: this.sessions.size,
      dropped: this.counters.dropped,
      coalesced: this.counters.coalesced,
      published: this.published,
      slowClientsClosed: this.counters.slowClientsClosed,
      deadClientsTerminated: this.deadClientsTerminated,
      badMessages: this.badMessages,
      ringEvents: this.ring.length + this.latestUnits.size,
      ringBytes: this.ringBytes,
    };
  }

  /** Per-client buffers, for diagnostics and tests. */
  clients(): SessionInfo[] {
    return [...this.sessions].map((session) => session.info());
  }

  /** Latest feed seq (0 before the first publish). */
  get headSeq(): number {
    return this.seq;
  }

  /** Forgets the buffered units of a deleted agent (its other events age out of the ring). */
  forgetAgent(agent: string): void {
    for (const [key, entry] of this.latestUnits) if (entry.agent === agent) this.latestUnits.delete(key);
  }

  /** Closes every client (1001), stops the heartbeat and detaches from the HTTP server. Resolves when all sockets are gone. */
  async close(reason = 'server shutting down'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.server.off('upgrade', this.onUpgrade);
    const gone = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.ws.readyState === session.ws.CLOSED) return resolve();
          session.ws.once('close', () => resolve());
          session.close(FEED_CLOSE_CODES.goingAway, reason);
        }),
    );
    await Promise.all(gone);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.ring.clear();
    this.latestUnits.clear();
    this.ringBytes = 0;
  }

  private store(entry: FeedEntry): void {
    const evicted = this.ring.push(entry);
    if (evicted) this.evicted(evicted);
    this.ringBytes += entry.data.length;
    while (this.ringBytes > this.ringMaxBytes && this.ring.length > 1) this.evicted(this.ring.shift() as FeedEntry);
  }

  private evicted(entry: FeedEntry): void {
    this.ringBytes -= entry.data.length;
    this.ringFloor = entry.seq;
  }

  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) {
      // Another upgrade handler may own this path; if there is none, do not leave the socket hanging.
      if (this.server.listenerCount('upgrade') <= 1) rejectUpgrade(socket, 404, 'Not Found', `no websocket endpoint at ${url.pathname}`);
      return;
    }
    const onSocketError = (error: Error): void => this.logger.debug({ err: error.message }, 'feed upgrade socket error');
    socket.on('error', onSocketError);
    if (this.closed) return rejectUpgrade(socket, 503, 'Service Unavailable', 'feed is shutting down');
    if (this.token !== undefined && !isAuthorized(request, url, this.token)) {
      this.logger.info({ remote: request.socket.remoteAddress }, 'feed upgrade rejected: missing or wrong token');
      return rejectUpgrade(socket, 401, 'Unauthorized', 'feed needs a token: Authorization: Bearer <token> or ?token=<token>');
    }
    if (this.sessions.size >= this.maxClients) {
      return rejectUpgrade(socket, 503, 'Service Unavailable', `feed has its maximum of ${this.maxClients} clients`);
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', onSocketError);
      this.accept(ws, request);
    });
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const session = new ClientSession(this.nextClientId++, ws, this.backlog, this.counters, this.limits, () => this.clock.now());
    this.sessions.add(session);
    this.logger.debug({ client: session.id, remote: request.socket.remoteAddress }, 'feed client connected');
    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('message', (data, isBinary) => this.receive(session, data as Buffer, isBinary));
    ws.on('error', (error) => this.logger.debug({ client: session.id, err: error.message }, 'feed client error'));
    ws.on('close', (code) => {
      this.sessions.delete(session);
      session.dispose();
      this.logger.debug({ client: session.id, code }, 'feed client disconnected');
    });
    const hello: HelloMessage = {
      type: 'hello',
      protocol: FEED_PROTOCOL_VERSION,
      seq: this.seq,
      oldestSeq: this.ringFloor + 1,
      serverTime: this.clock.now(),
      startedAt: this.startedAt,
      kinds: [...RUN_EVENT_KINDS],
      defaultKinds: [...DEFAULT_FEED_KINDS],
      heartbeatMs: this.heartbeatMs,
      maxPayload: this.maxPayload,
    };
    session.sendControl(hello, true);
  }

  private receive(session: ClientSession, data: Buffer, isBinary: boolean): void {
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      this.badMessages++;
      session.consecutiveErrors++;
      session.sendControl({ type: 'error', code: parsed.code, message: parsed.message });
      if (session.consecutiveErrors >= this.maxConsecutiveErrors) {
        this.logger.info({ client: session.id }, 'feed client closed after repeated bad messages');
        session.close(FEED_CLOSE_CODES.policyViolation, `${this.maxConsecutiveErrors} consecutive bad messages`);
      }
      return;
    }
    session.consecutiveErrors = 0;
    this.handle(session, parsed.message);
  }

  private handle(session: ClientSession, message: ClientMessage): void {
    switch (message.type) {
      case 'subscribe':
        session.sendControl(session.subscribe(message), true);
        session.pump();
        return;
      case 'unsubscribe':
        session.sendControl(session.unsubscribe(message), true);
        session.pump(); // also enforces the hard buffer limit on a client that floods us without reading
        return;
      case 'ping':
        session.sendControl({ type: 'pong', ...(message.id !== undefined ? { id: message.id } : {}), seq: this.seq, serverTime: this.clock.now() });
        return;
    }
  }

  private tick(): void {
    for (const session of this.sessions) {
      if (!session.alive) {
        this.deadClientsTerminated++;
        this.logger.info({ client: session.id }, 'feed client terminated: no pong to the last ping');
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      session.ws.ping();
      session.checkStall();
      session.pump();
    }
  }
}

function coalescingKey(event: RunEvent): string | null {
  switch (event.kind) {
    case 'window':
    case 'state':
      return `${event.agent}\u0000${event.kind}`;
    case 'units':
      return `${event.agent}\u0000units\u0000${event.network}`;
    default:
      return null;
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new PlasticdError('feed-config', `feed option ${name} must be a positive number, got ${value}`);
  }
  return value;
}
