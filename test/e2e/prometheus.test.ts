/**
 * A real Prometheus scrapes a loopback HTTP server serving the exporter's registry; every expression
 * of the shipped dashboards (panels, annotations, template variables) and alert rules must return
 * data through Prometheus's HTTP API, every alert must be pending or firing for the events crafted to
 * trigger it, and promtool must accept the rules and the scraped exposition.
 * Skips when the prometheus / promtool binaries (Debian package `prometheus`) are missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import { episodeEvent, parseExposition, resetEvent, shiftEvent, windowEvent } from '../monitoring/exporters/sample-events.ts';
import type { SampleShape } from '../monitoring/exporters/sample-events.ts';
import { prometheusAvailable, promtool, startPrometheus } from './helpers/prometheus.ts';
import type { RunningPrometheus } from './helpers/prometheus.ts';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const ALERTS = root('monitoring/prometheus/alerts.yml');
const DASHBOARDS = ['monitoring/grafana/dashboards/plasticd-fleet.json', 'monitoring/grafana/dashboards/plasticd-agent.json'];
/** What Grafana would put in for each template variable: values for which data exists. */
const VARIABLES: Record<string, string> = {
  agent: 'main',
  network: 'q',
  layer: 'dense_0',
  criterion: 'gxd',
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1m',
};
const SHAPE: SampleShape = { networks: ['q', 'target'], layers: ['dense_0', 'dense_1'], criteria: ['gxd', 'redo'], units: 64 };

const available = prometheusAvailable();
const skip = available ? false : 'prometheus/promtool not found: install the Debian package "prometheus" (apt-get install -y --no-install-recommends prometheus)';

interface Expression {
  where: string;
  expr: string;
}

/** Every PromQL expression in a dashboard: panel targets, annotations and label_values() variables. */
function dashboardExpressions(file: string): Expression[] {
  const found: Expression[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((child, k) => walk(child, `${path}[${k}]`));
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.expr === 'string') found.push({ where: `${file} ${path} (${String(record.title ?? record.name ?? record.refId)})`, expr: record.expr });
      if (record.type === 'query' && typeof record.definition === 'string') {
        const match = /^label_values\((.*),\s*(\w+)\)$/.exec(record.definition);
        assert.ok(match, `variable ${String(record.name)} in ${file}: expected label_values(selector, label)`);
        found.push({ where: `${file} variable ${String(record.name)}`, expr: match[1] });
      }
      for (const [key, child] of Object.entries(record)) walk(child, `${path}.${key}`);
    }
  };
  walk(JSON.parse(readFileSync(root(file), 'utf8')), '');
  return found;
}

function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => VARIABLES[name] ?? whole);
}

interface AlertRule {
  alert: string;
  expr: string;
}

function alertRules(): AlertRule[] {
  const file = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

describe('Prometheus end to end', { skip, timeout: 120_000 }, () => {
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

    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], ruleFiles: [ALERTS], scrapeInterval: '1s' });
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

  it('stores data for every metric family the exporter exposes', async () => {
    const families = new Set(parseExposition(await registry.metrics()).map((s) => s.name));
    const response = await prometheus.query('count by (__name__) ({job="plasticd"})');
    const stored = new Set((response.data!.result as Array<{ metric: Record<string, string> }>).map((s) => s.metric.__name__));
    const missing = [...families].filter((name) => !stored.has(name));
    assert.deepEqual(missing, []);
    assert.ok(families.size > 60, `only ${families.size} families`);
  });

  it('returns data for every expression of the shipped dashboards', async () => {
    const expressions = DASHBOARDS.flatMap(dashboardExpressions);
    assert.ok(expressions.length > 50, `only ${expressions.length} expressions found`);
    const failures: string[] = [];
    for (const { where, expr } of expressions) {
      const query = substitute(expr);
      assert.ok(!query.includes('$'), `unsubstituted variable in ${where}: ${query}`);
      const response = await prometheus.query(query);
      const result = response.data?.result;
      if (response.status !== 'success') failures.push(`${where}: ${response.error}\n  ${query}`);
      else if (!Array.isArray(result) || result.length === 0) failures.push(`${where}: no data\n  ${query}`);
    }
    assert.deepEqual(failures, []);
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

  it('passes promtool check rules and promtool check metrics', async () => {
    const rules = promtool(['check', 'rules', ALERTS]);
    assert.equal(rules.status, 0, rules.stdout + rules.stderr);
    const metrics = promtool(['check', 'metrics'], await registry.metrics());
    assert.equal(metrics.status, 0, metrics.stdout + metrics.stderr);
  });
});
