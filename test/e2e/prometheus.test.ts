/**
 * The shipped alert rules under crafted conditions: a real Prometheus scrapes a loopback HTTP server
 * serving the exporter's registry, fed with events chosen to trigger each alert (an agent in error,
 * one that stalls, one whose layers collapse, a return that collapses after a shift); every alert
 * expression returns data and every alert is pending or firing for exactly the agent that triggers
 * it. Dashboards, metric families and promtool against the REAL daemon: prometheus-daemon.test.ts.
 * Skips when the prometheus / promtool binaries (Debian package `prometheus`) are missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import { episodeEvent, resetEvent, shiftEvent, windowEvent } from '../monitoring/exporters/sample-events.ts';
import type { SampleShape } from '../monitoring/exporters/sample-events.ts';
import { ALERTS_FILE, alertRules } from './helpers/dashboards.ts';
import { prometheusAvailable, startPrometheus } from './helpers/prometheus.ts';
import type { RunningPrometheus } from './helpers/prometheus.ts';

const SHAPE: SampleShape = { networks: ['q', 'target'], layers: ['dense_0', 'dense_1'], criteria: ['gxd', 'redo'], units: 64 };

const available = prometheusAvailable();
const skip = available ? false : 'prometheus/promtool not found: install the Debian package "prometheus" (apt-get install -y --no-install-recommends prometheus)';

describe('Prometheus alert rules under crafted conditions', { skip, timeout: 120_000 }, () => {
  const registry = new Registry();
  const feed = { clients: 3, dropped: 0, coalesced: 0 };
  const exporter = new PrometheusExporter({
    registry,
    version: '0.1.0-e2e',
    backend: () => 'cpu',
    tfMemory: () => ({ numTensors: 42, numBytes: 65536 }),
    feedStats: () => feed,
  });
  let server: Server;
  let prometheus: RunningPrometheus;
  let seq = 0;

  before(async () => {
    server = createServer(async (request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      const text = await registry.metrics();
      response.writeHead(200, { 'Content-Type': registry.contentType }).end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    // Phase 1: a healthy agent, one stalled, one in error, one whose layers have collapsed.
    const now = Date.now();
    exporter.setAgentState('main', 'running');
    exporter.setAgentTfjsMemory('main', { numTensors: 120, numBytes: 1 << 20 });
    exporter.observe(windowEvent({ agent: 'main', seq: ++seq, window: 1, step: 1000, time: now - 2000, shape: SHAPE, episodeReturn: 150 }));
    exporter.observe(windowEvent({ agent: 'main', seq: ++seq, window: 2, step: 2000, time: now, shape: SHAPE, episodeReturn: 160 }));
    exporter.observe(episodeEvent('main', ++seq, 2000, now, 10, 160, 200));
    exporter.observe(resetEvent('main', ++seq, 2000, now, 'q', 'dense_0', 'gxd', [1, 2]));
    exporter.setAgentState('stalled', 'running');
    exporter.observe(windowEvent({ agent: 'stalled', seq: 1, window: 1, step: 500, time: now, shape: SHAPE }));
    exporter.setAgentState('broken', 'error');
    exporter.setAgentState('collapsed', 'running');
    exporter.observe(windowEvent({ agent: 'collapsed', seq: 1, window: 1, step: 500, time: now, shape: SHAPE, layerValues: { dormantRatio: 0.6, deadRatio: 0.4, effectiveRank: 2 } }));

    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], ruleFiles: [ALERTS_FILE], scrapeInterval: '1s' });
    await prometheus.waitForScrapes(3);

    // Phase 2, after Prometheus has seen phase 1: a shift, then the return collapses; more resets.
    const later = Date.now();
    const scraped = await prometheus.scrapes();
    exporter.observe(shiftEvent('main', ++seq, 2000, later, 1, 'physics'));
    exporter.observe(windowEvent({ agent: 'main', seq: ++seq, window: 3, step: 3000, time: later + 1000, shape: SHAPE, episodeReturn: 20 }));
    exporter.observe(episodeEvent('main', ++seq, 3000, later + 1000, 11, 15, 180));
    exporter.observe(resetEvent('main', ++seq, 3000, later + 1000, 'q', 'dense_0', 'gxd', [3]));
    exporter.observe(resetEvent('main', ++seq, 3000, later + 1000, 'q', 'dense_1', 'redo', [4, 5]));
    exporter.observe(windowEvent({ agent: 'collapsed', seq: 2, window: 2, step: 1500, time: later + 1000, shape: SHAPE, layerValues: { dormantRatio: 0.6, deadRatio: 0.4, effectiveRank: 2 } }));
    feed.dropped = 4;
    feed.coalesced = 9;
    await prometheus.waitForScrapes(scraped + 3);
  });

  after(async () => {
    await prometheus?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('returns data for every alert expression when its condition holds', async () => {
    const rules = alertRules();
    assert.equal(rules.length, 5);
    for (const { alert, expr } of rules) {
      const response = await prometheus.query(expr);
      assert.equal(response.status, 'success', `${alert}: ${response.error}`);
      const result = response.data!.result as Array<{ metric: Record<string, string> }>;
      assert.ok(result.length > 0, `${alert} returned no data:\n${expr}`);
    }
  });

  it('puts each alert in pending or firing for the agent that triggers it, and only for it', async () => {
    const expected: Record<string, string> = {
      PlasticdAgentInError: 'broken',
      PlasticdNoProgress: 'stalled',
      PlasticdDormantRatioHigh: 'collapsed',
      PlasticdEffectiveRankCollapsed: 'collapsed',
      PlasticdReturnCollapsedAfterShift: 'main',
    };
    type Alert = { labels: Record<string, string>; state: string };
    const deadline = Date.now() + 15_000;
    let alerts: Alert[] = [];
    while (Date.now() < deadline) {
      alerts = (await prometheus.api<{ data: { alerts: Alert[] } }>('/api/v1/alerts')).data.alerts;
      if (Object.keys(expected).every((name) => alerts.some((a) => a.labels.alertname === name))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const [name, agent] of Object.entries(expected)) {
      const agents = [...new Set(alerts.filter((a) => a.labels.alertname === name).map((a) => a.labels.agent))];
      assert.deepEqual(agents, [agent], `${name} is active for ${JSON.stringify(agents)}`);
      assert.ok(alerts.every((a) => a.state === 'pending' || a.state === 'firing'));
    }
  });
});
