import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { PrometheusExporter } from '../../../monitoring/exporters/prometheus.ts';
import { DASHBOARD_FILES, renderDashboard } from '../../../monitoring/grafana/build-dashboards.ts';
import { createWorkerMetrics } from '../../../src/queue/worker-metrics.ts';
import { episodeEvent, parseExposition, resetEvent, shiftEvent, windowEvent } from './sample-events.ts';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const read = (path: string) => readFileSync(root(path), 'utf8');

type Json = Record<string, any>;

function dashboards(): Array<[string, Json]> {
  return Object.keys(DASHBOARD_FILES).map((file) => [file, JSON.parse(read(`monitoring/grafana/dashboards/${file}`))]);
}

/** Names of the plasticd_* families the exporter (and a queue worker) exposes once every event kind has been seen. */
async function exportedFamilies(): Promise<Set<string>> {
  const registry = new Registry();
  const exporter = new PrometheusExporter({
    registry,
    version: 'test',
    backend: () => 'cpu',
    tfMemory: () => ({ numTensors: 1, numBytes: 1 }),
    feedStats: () => ({ clients: 1, dropped: 1, coalesced: 1 }),
  });
  exporter.setAgentState('a', 'running');
  exporter.setAgentTfjsMemory('a', { numTensors: 1, numBytes: 1 });
  exporter.observe(windowEvent({ agent: 'a', seq: 1, window: 1, step: 10, time: 1000 }));
  exporter.observe(windowEvent({ agent: 'a', seq: 2, window: 2, step: 20, time: 2000 }));
  exporter.observe(resetEvent('a', 3, 20, 2000, 'q', 'dense_0', 'gxd', [1]));
  exporter.observe(episodeEvent('a', 4, 20, 2000, 1, 1, 20));
  exporter.observe(shiftEvent('a', 5, 20, 2000, 1, 'task'));
  const worker = createWorkerMetrics({ worker: 'w', queue: 'redis://q', concurrency: 1, version: 'test', backend: () => 'cpu' });
  const texts = [await registry.metrics(), await worker.registry.metrics()];
  return new Set(texts.flatMap((text) => parseExposition(text)).map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
}

function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:plasticd|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]);
}

function allExpressions(): string[] {
  const exprs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if ((key === 'expr' || key === 'definition') && typeof child === 'string') exprs.push(child);
        else walk(child);
      }
    }
  };
  for (const [, json] of dashboards()) walk(json);
  return exprs;
}

describe('Grafana dashboards', () => {
  it('are the committed output of build-dashboards.ts', () => {
    for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
      assert.equal(read(`monitoring/grafana/dashboards/${file}`), renderDashboard(build), `${file} is stale: run npx tsx monitoring/grafana/build-dashboards.ts`);
    }
  });

  it('reference the datasource through a variable, never through __inputs', () => {
    for (const [file, json] of dashboards()) {
      const text = JSON.stringify(json);
      assert.ok(!('__inputs' in json) && !text.includes('${DS_'), `${file} has import placeholders`);
      assert.equal(json.schemaVersion, 39);
      assert.match(json.uid, /^plasticd-[a-z]+$/);
      const variables = json.templating.list as Json[];
      assert.deepEqual(variables[0], { ...variables[0], name: 'datasource', type: 'datasource', query: 'prometheus' });
      // Each dashboard selects agents, or (the workers dashboard) queue workers, from a plasticd family.
      const selector = variables.find((v) => v.name === 'agent' || v.name === 'worker')!;
      assert.match(selector.definition, new RegExp(`^label_values\\(plasticd_[a-z_]+, ${selector.name}\\)$`));
    }
  });

  it('lay out panels on the 24-column grid without overlaps, each target with a refId and an expr', () => {
    for (const [file, json] of dashboards()) {
      const cells = new Set<string>();
      for (const panel of json.panels as Json[]) {
        const { x, y, w, h } = panel.gridPos;
        assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${file} ${panel.title}: gridPos ${JSON.stringify(panel.gridPos)}`);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            assert.ok(!cells.has(`${i},${j}`), `${file} ${panel.title} overlaps another panel`);
            cells.add(`${i},${j}`);
          }
        }
        if (panel.type === 'row') continue;
        assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' });
        const refIds = (panel.targets as Json[]).map((t) => t.refId);
        assert.equal(new Set(refIds).size, refIds.length);
        for (const target of panel.targets as Json[]) assert.ok(target.expr.length > 0 && target.refId, `${file} ${panel.title}`);
      }
    }
  });

  it('query only metrics the exporter exposes, and chart every plasticd family', async () => {
    const exported = await exportedFamilies();
    const used = new Set(allExpressions().flatMap(metricNames));
    const alerts = parseYaml(read('monitoring/prometheus/alerts.yml')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const alertNames = alerts.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr)));
    assert.deepEqual([...used, ...alertNames].filter((name) => !exported.has(name)), []);
    assert.deepEqual([...exported].filter((name) => name.startsWith('plasticd_') && !used.has(name)), []);
  });
});

describe('Grafana provisioning', () => {
  it('provisions a Prometheus datasource with the fixed uid plasticd-prometheus', () => {
    const config = parseYaml(read('monitoring/grafana/provisioning/datasources/prometheus.yaml'));
    assert.equal(config.apiVersion, 1);
    assert.deepEqual(
      config.datasources.map((d: Json) => [d.type, d.uid, d.access]),
      [['prometheus', 'plasticd-prometheus', 'proxy']],
    );
  });

  it('provisions the dashboards folder through a file provider', () => {
    const config = parseYaml(read('monitoring/grafana/provisioning/dashboards/plasticd.yaml'));
    assert.equal(config.providers[0].type, 'file');
    assert.ok(config.providers[0].options.path.length > 0);
  });
});
