// One websocket to /feed (protocol: docs/feed-protocol.md) that keeps itself connected: it
// subscribes from the `hello` handler with `since` = the last feed seq it processed (0 after the
// daemon restarted, seen as a new `startedAt`), drops duplicates by feed seq, and reconnects with
// exponential backoff (0.5 s doubling to 15 s, with jitter; reset once a hello arrives).

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;

export class FeedClient {
  /**
   * @param {object} options
   * @param {() => string} options.url           the websocket URL (read on every connect: the token may change)
   * @param {() => object|null} options.subscription  { agents, kinds } to subscribe to, or null for nothing
   * @param {(event: object, seq: number) => void} options.onEvent
   * @param {(status: {state: string, retryInMs?: number}) => void} [options.onStatus]
   * @param {(gap: object) => void} [options.onGap]
   */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.lastSeq = 0;
    this.startedAt = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.received = 0;
    this.connects = 0; // hellos seen: 1 + reconnects
    this.lastSince = null; // `since` of the last subscribe sent
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
  }

  /** Sends the current subscription again (e.g. the selected agent changed); `since` replays from `fromSeq`. */
  resubscribe(fromSeq) {
    if (fromSeq !== undefined) this.lastSeq = Math.min(this.lastSeq, fromSeq);
    this.subscribe();
  }

  status(state, extra = {}) {
    if (this.options.onStatus) this.options.onStatus({ state, ...extra });
  }

  connect() {
    if (this.stopped) return;
    this.status(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new WebSocket(this.options.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (message) => this.handle(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => {}; // onclose follows and reconnects
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + 0.5 * Math.random()));
    this.attempt++;
    this.status('disconnected', { retryInMs: delay });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  subscribe() {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.startedAt === null) return;
    const subscription = this.options.subscription();
    if (!subscription) {
      socket.send(JSON.stringify({ type: 'unsubscribe' }));
      return;
    }
    this.lastSince = this.lastSeq;
    socket.send(JSON.stringify({ type: 'subscribe', ...subscription, since: this.lastSeq }));
  }

  handle(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    switch (message.type) {
      case 'hello':
        if (message.startedAt !== this.startedAt) this.lastSeq = 0;
        this.startedAt = message.startedAt ?? 0;
        this.attempt = 0;
        this.connects++;
        this.status('live');
        this.subscribe();
        break;
      case 'event': {
        const seq = typeof message.seq === 'number' ? message.seq : 0;
        if (seq <= this.lastSeq) return;
        this.lastSeq = seq;
        this.received++;
        try {
          this.options.onEvent(message.event, seq);
        } catch (error) {
          console.warn('plasticd: event handler failed', error);
        }
        break;
      }
      case 'gap':
        if (this.options.onGap) this.options.onGap(message);
        break;
      case 'error':
        console.warn('plasticd: feed refused a message:', message.code, message.message);
        break;
      default:
        break;
    }
  }
}
