/**
 * Process-level Prometheus metrics of the daemon, read at scrape time: Node's default process_* /
 * nodejs_* metrics, tfjs memory of the main thread, and the websocket feed's clients and drops.
 * Per-agent families are in prometheus-metrics.ts.
 */
import { Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

export interface TfjsMemory {
  numTensors: number;
  numBytes: number;
}

export interface FeedStats {
  /** Connected websocket clients now. */
  clients: number;
  /** Messages dropped for slow clients since the feed started (cumulative). */
  dropped: number;
  /** Messages coalesced for slow clients since the feed started (cumulative). */
  coalesced: number;
}

/**
 * Node's default process_* / nodejs_* metrics, unprefixed so stock Node.js dashboards work. The three
 * gauges prom-client names *_total (active handles, requests, resources) are dropped: promtool's
 * lint rejects a gauge with a counter suffix, and the per-type gauges without the suffix remain.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
  }
}

export function registerTfjsMemory(registry: Registry, tfMemory: () => TfjsMemory): void {
  new Gauge({
    name: 'plasticd_tfjs_tensors',
    help: 'Live tfjs tensors in the daemon\'s main thread (tf.memory().numTensors).',
    registers: [registry],
    collect() {
      this.set(tfMemory().numTensors);
    },
  });
  new Gauge({
    name: 'plasticd_tfjs_bytes',
    help: 'Bytes held by tfjs tensors in the daemon\'s main thread (tf.memory().numBytes).',
    registers: [registry],
    collect() {
      this.set(tfMemory().numBytes);
    },
  });
}

export function registerFeedStats(registry: Registry, feedStats: () => FeedStats): void {
  new Gauge({
    name: 'plasticd_feed_clients',
    help: 'Websocket feed clients connected now.',
    registers: [registry],
    collect() {
      this.set(feedStats().clients);
    },
  });
  // The feed keeps cumulative counts; the counters follow them and never go back.
  const follow = (name: string, help: string, read: (stats: FeedStats) => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read(feedStats());
        if (value > seen) this.inc(value - seen);
        seen = value;
      },
    });
  };
  follow('plasticd_feed_dropped_messages_total', 'Feed messages dropped because a client was too slow.', (s) => s.dropped);
  follow('plasticd_feed_coalesced_messages_total', 'Feed messages coalesced (replaced by a newer one) for slow clients.', (s) => s.coalesced);
}
