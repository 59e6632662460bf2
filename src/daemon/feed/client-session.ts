/**
 * One connected feed client: its subscription, its catch-up cursor for `since` replays, and the
 * backpressure policy (ecosystem.md §6). Sends go straight out while `ws.bufferedAmount` is under
 * the high-water mark; above it, window/units/state events are coalesced (latest per agent+kind,
 * per network for units) in a small bounded map, everything else is dropped and counted, and the
 * client is told the dropped seq range with a `gap` once it drains. A replay never copies events:
 * the client walks the gateway's ring with a cursor as fast as its socket drains.
 */
import type { WebSocket } from 'ws';
import type { RunEventKind } from '../../run/events.ts';
import { DEFAULT_FEED_KINDS, FEED_CLOSE_CODES } from '../../config/feed-messages.ts';
import type { SubscribeMessage, SubscribedMessage, UnsubscribeMessage } from '../../config/feed-messages.ts';
import type { RingBuffer } from './ring-buffer.ts';

/** A published event, serialised once and shared by the ring and every client. */
/** Control replies held for a client that is not reading; more are dropped. */
const MAX_QUEUED_CONTROL = 32;

export interface FeedEntry {
  readonly seq: number;
  readonly agent: string;
  readonly kind: RunEventKind;
  /** Coalescing key (latest value wins) for window/units/state events; null for the others. */
  readonly key: string | null;
  /** The complete `{"type":"event",...}` frame. */
  readonly data: string;
}

/** What a session reads from the gateway. */
export interface FeedBacklog {
  readonly ring: RingBuffer<FeedEntry>;
  /** Highest seq ever evicted from the ring (0 if none): a replay from before it has a gap. */
  ringFloor(): number;
  headSeq(): number;
  /** The latest `units` event per agent/network (they are kept apart from the ring). */
  latestUnits(): Iterable<FeedEntry>;
}

export interface FeedCounters {
  dropped: number;
  coalesced: number;
  slowClientsClosed: number;
}

export interface SessionLimits {
  highWaterBytes: number;
  hardLimitBytes: number;
  maxPendingPerClient: number;
  slowClientTimeoutMs: number;
  closeGraceMs: number;
}

export interface SessionInfo {
  id: number;
  mode: 'live' | 'catch-up';
  bufferedAmount: number;
  pending: number;
  queuedControl: number;
  catchUpUnits: number;
  droppedSinceNotice: number;
}

export class ClientSession {
  alive = true;
  consecutiveErrors = 0;
  private closing = false;
  private allAgents = false;
  private readonly agents = new Set<string>();
  private readonly excludedAgents = new Set<string>();
  private readonly kinds = new Set<RunEventKind>();
  private mode: 'live' | 'catch-up' = 'live';
  private cursorSeq = 0;
  private readonly catchUpUnits = new Map<string, FeedEntry>();
  private readonly pending = new Map<string, FeedEntry>();
  /** Control replies (pong, error) waiting for the socket to drain; bounded, flushed first. */
  private readonly controlQueue: string[] = [];
  private droppedCount = 0;
  private droppedFrom = 0;
  private droppedTo = 0;
  private stalledSince: number | null = null;
  private terminateTimer: NodeJS.Timeout | null = null;
  /** One callback for every send: when written data drains, push more (no closure per message). */
  private readonly onSent = (error?: Error): void => {
    if (!error) this.pump();
  };

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    private readonly backlog: FeedBacklog,
    private readonly counters: FeedCounters,
    private readonly limits: SessionLimits,
    private readonly now: () => number,
  ) {}

  matches(agent: string, kind: RunEventKind): boolean {
    if (!this.kinds.has(kind)) return false;
    return this.allAgents ? !this.excludedAgents.has(agent) : this.agents.has(agent);
  }

  /** Replaces the subscription; with `since`, starts a replay of the buffered events after it. */
  subscribe(message: SubscribeMessage): SubscribedMessage {
    this.allAgents = message.agents === '*';
    this.agents.clear();
    this.excludedAgents.clear();
    if (message.agents !== '*') for (const agent of message.agents) this.agents.add(agent);
    this.kinds.clear();
    for (const kind of message.kinds ?? DEFAULT_FEED_KINDS) this.kinds.add(kind);
    const head = this.backlog.headSeq();
    const acknowledgement = this.describe(head, message.since ?? null);
    if (message.since !== undefined) {
      // The replay re-delivers whatever the pending map held, so start clean.
      this.pending.clear();
      this.droppedCount = 0;
      this.catchUpUnits.clear();
      // A since beyond our head comes from a previous gateway life (seq restarted): replay all we have.
      this.cursorSeq = message.since > head ? 0 : message.since;
      const units = [...this.backlog.latestUnits()].filter(
        (entry) => entry.seq > this.cursorSeq && this.matches(entry.agent, entry.kind),
      );
      units.sort((a, b) => a.seq - b.seq);
      for (const entry of units) this.catchUpUnits.set(entry.key as string, entry);
      this.mode = 'catch-up';
    }
    return acknowledgement;
  }

  unsubscribe(message: UnsubscribeMessage): SubscribedMessage {
    if (message.agents === undefined && message.kinds === undefined) {
      this.allAgents = false;
      this.agents.clear();
      this.excludedAgents.clear();
      this.kinds.clear();
    }
    if (message.agents === '*') {
      this.allAgents = false;
      this.agents.clear();
      this.excludedAgents.clear();
    } else if (message.agents !== undefined) {
      for (const agent of message.agents) {
        if (this.allAgents) this.excludedAgents.add(agent);
        else this.agents.delete(agent);
      }
    }
    for (const kind of message.kinds ?? []) this.kinds.delete(kind);
    return this.describe(this.backlog.headSeq(), null);
  }

  /** Live fan-out of a freshly published entry. */
  deliver(entry: FeedEntry): void {
    if (this.closing || !this.matches(entry.agent, entry.kind)) return;
    if (this.mode === 'catch-up') {
      // Ring entries are reached by the cursor; units live outside the ring, so queue the latest.
      if (entry.kind === 'units') {
        this.catchUpUnits.delete(entry.key as string);
        this.catchUpUnits.set(entry.key as string, entry);
      }
      return;
    }
    if (this.pending.size === 0 && this.droppedCount === 0 && this.controlQueue.length === 0 && this.ws.bufferedAmount < this.limits.highWaterBytes) {
      this.sendRaw(entry.data);
      return;
    }
    this.hold(entry);
    this.pump();
  }

  /**
   * Sends a small control message (hello, ack, pong, error). Above the high-water mark it waits in a
   * short queue (flushed before held events); when that is full, it is dropped and counted.
   */
  sendControl(message: object, always = false): void {
    if (this.closing) return;
    if (always || (this.controlQueue.length === 0 && this.ws.bufferedAmount < this.limits.highWaterBytes)) {
      this.sendRaw(JSON.stringify(message));
      return;
    }
    if (this.controlQueue.length >= MAX_QUEUED_CONTROL) this.counters.dropped++;
    else this.controlQueue.push(JSON.stringify(message));
    this.pump();
  }

  /** Sends as much of the replay and the held events as the socket takes without passing the high-water mark. */
  pump(): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    this.flushControl();
    if (this.controlQueue.length === 0) {
      if (this.mode === 'catch-up') this.pumpCatchUp();
      if (this.mode === 'live') this.flushPending();
    }
    this.checkStall();
  }

  /** Closes with a code and reason, and terminates if the close handshake has not finished after a grace period. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.pending.clear();
    this.catchUpUnits.clear();
    this.controlQueue.length = 0;
    this.ws.close(code, reason);
    this.terminateTimer = setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs);
    this.terminateTimer.unref();
  }

  /** Frees everything once the socket is closed. */
  dispose(): void {
    this.closing = true;
    this.pending.clear();
    this.catchUpUnits.clear();
    this.controlQueue.length = 0;
    if (this.terminateTimer) clearTimeout(this.terminateTimer);
    this.terminateTimer = null;
  }

  /** Called by the heartbeat: closes a client that has been over the high-water mark for too long. */
  checkStall(): void {
    if (this.closing) return;
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.limits.hardLimitBytes) {
      this.counters.slowClientsClosed++;
      this.close(FEED_CLOSE_CODES.policyViolation, `send buffer above ${this.limits.hardLimitBytes} bytes`);
      return;
    }
    if (buffered < this.limits.highWaterBytes) {
      this.stalledSince = null;
      return;
    }
    const now = this.now();
    if (this.stalledSince === null) this.stalledSince = now;
    else if (now - this.stalledSince > this.limits.slowClientTimeoutMs) {
      this.counters.slowClientsClosed++;
      this.close(FEED_CLOSE_CODES.tryAgainLater, `client did not read for ${this.limits.slowClientTimeoutMs} ms`);
    }
  }

  info(): SessionInfo {
    return {
      id: this.id,
      mode: this.mode,
      bufferedAmount: this.ws.bufferedAmount,
      pending: this.pending.size,
      queuedControl: this.controlQueue.length,
      catchUpUnits: this.catchUpUnits.size,
      droppedSinceNotice: this.droppedCount,
    };
  }

  private hold(entry: FeedEntry): void {
    if (entry.key !== null) {
      if (this.pending.delete(entry.key)) this.counters.coalesced++;
      else if (this.pending.size >= this.limits.maxPendingPerClient) return this.drop(entry);
      // delete + set keeps the map in seq order
      this.pending.set(entry.key, entry);
      return;
    }
    this.drop(entry);
  }

  private drop(entry: FeedEntry): void {
    this.counters.dropped++;
    if (this.droppedCount === 0) this.droppedFrom = entry.seq;
    this.droppedTo = entry.seq;
    this.droppedCount++;
  }

  private flushControl(): void {
    while (this.controlQueue.length > 0 && this.ws.bufferedAmount < this.limits.highWaterBytes) {
      this.sendRaw(this.controlQueue.shift() as string);
    }
  }

  private flushPending(): void {
    const highWater = this.limits.highWaterBytes;
    while (this.ws.bufferedAmount < highWater) {
      if (this.droppedCount > 0) {
        const gap = { type: 'gap', from: this.droppedFrom, to: this.droppedTo, reason: 'slow-client', dropped: this.droppedCount };
        this.droppedCount = 0;
        this.sendRaw(JSON.stringify(gap));
        continue;
      }
      const next = this.pending.values().next();
      if (next.done) return;
      const entry = next.value;
      this.pending.delete(entry.key as string);
      // The subscription may have changed while the entry waited.
      if (this.matches(entry.agent, entry.kind)) this.sendRaw(entry.data);
    }
  }

  private pumpCatchUp(): void {
    const ring = this.backlog.ring;
    const floor = this.backlog.ringFloor();
    if (floor > this.cursorSeq) {
      this.sendRaw(JSON.stringify({ type: 'gap', from: this.cursorSeq + 1, to: floor, reason: 'ring' }));
      this.cursorSeq = floor;
    }
    let index = ring.indexAfter(this.cursorSeq);
    const highWater = this.limits.highWaterBytes;
    while (this.ws.bufferedAmount < highWater) {
      const fromRing = index < ring.length ? ring.at(index) : undefined;
      const firstUnits = this.catchUpUnits.values().next();
      const fromUnits = firstUnits.done ? undefined : firstUnits.value;
      let entry: FeedEntry;
      if (fromUnits !== undefined && (fromRing === undefined || fromUnits.seq < fromRing.seq)) {
        entry = fromUnits;
        this.catchUpUnits.delete(fromUnits.key as string);
      } else if (fromRing !== undefined) {
        entry = fromRing;
        index++;
      } else {
        this.mode = 'live';
        return;
      }
      this.cursorSeq = entry.seq;
      if (this.matches(entry.agent, entry.kind)) this.sendRaw(entry.data);
    }
  }

  private sendRaw(data: string): void {
    this.ws.send(data, this.onSent);
  }

  private describe(seq: number, since: number | null): SubscribedMessage {
    return {
      type: 'subscribed',
      agents: this.allAgents ? '*' : [...this.agents],
      excludedAgents: [...this.excludedAgents],
      kinds: [...this.kinds],
      seq,
      since,
    };
  }
}
