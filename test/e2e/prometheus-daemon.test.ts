/**
 * A real Prometheus (Debian package `prometheus`) scrapes the REAL daemon (`plasticd serve` in a
 * child process) every second. The tiny config has windows of 200 steps, a DQN with GXD resets, the
 * reset audit and the curvature probe, a tanh learner on a classification stream with ReDo-style
 * threshold resets and frequent task shifts, and an agent that diverges to `error` — so every metric
 * family has data within seconds. Every expression of the shipped dashboards (with Grafana's
 * template variables resolved through Prometheus, as Grafana would) and of the alert rules must
 * return data; promtool must accept the rules and the daemon's real /metrics text.
 * (Alerts actually firing under crafted conditions: prometheus.test.ts, against a loopback exporter.)
 * Skips when the prometheus / promtool binaries are missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonFixture, getJson, waitFor } from './helpers/daemon.ts';
import type { DaemonProcess } from './helpers/daemon.ts';
import { ALERTS_FILE, alertRules, DASHBOARD_FILES, dashboardExpressions, metricNames, substitute, templateVariables } from './helpers/dashboards.ts';
import { prometheusAvailable, promtool, startPrometheus } from './helpers/prometheus.ts';
import type { RunningPrometheus, VectorSample } from './helpers/prometheus.ts';
import { parseExposition } from '../monitoring/exporters/sample-events.ts';

const available = prometheusAvailable();
const skip = available ? false : 'prometheus/promtool not found: install the Debian package "prometheus" (apt-get install -y --no-install-recommends prometheus)';

const MONITOR = { probeSize: 32, audit: { everyWindows: 1, units: 4 }, curvature: { everyWindows: 1, samples: 2 } };
const CONFIG = {
  checkpointEverySeconds: 30,
  agents: [
    {
      id: 'cartpole-gxd',
      seed: 1,
      windowLength: 200,
      env: { id: 'plasticd/DriftingCartPole-v1', kwargs: { every: 400 } },
      agent: { kind: 'dqn', hidden: [16], learningStarts: 100, bufferSize: 1000, batchSize: 16, explorationSteps: 500, trainFrequency: 2 },
      networks: { engine: 'typed' },
      monitor: { ...MONITOR, resetPolicy: { kind: 'replacement-rate', criterion: 'gxd', replacementRate: 0.01, maturityThreshold: 10 } },
    },
    {
      id: 'labels-redo',
      seed: 2,
      windowLength: 200,
      stream: { id: 'random-label-mnist', options: { numImages: 100, epochsPerTask: 3 } },
      agent: { kind: 'continual', hiddenUnits: [8], activation: 'tanh' },
      networks: { engine: 'typed' },
      monitor: { ...MONITOR, curvature: null, resetPolicy: { kind: 'threshold', criterion: 'redo', threshold: 0.5, every: 50 } },
    },
    {
      id: 'diverges',
      windowLength: 200,
      stream: { id: 'bit-flipping', options: { flipAfter: 1000 } },
      agent: { kind: 'continual', hiddenUnits: [8], optimizer: { kind: 'sgd', learningRate: 1e30 } },
      networks: { engine: 'typed' },
      monitor: { probeSize: 32, audit: null, curvature: null },
    },
  ],
};
/** Grafana's built-in interval variables; generous, so 1 s scrapes over a short run have enough samples. */
const INTERVALS = { __rate_interval: '1m', __interval: '1m', __range: '1m' };

interface Failure {
  where: string;
  query: string;
  why: string;
}

describe('Prometheus scraping the real daemon', { skip, timeout: 300_000 }, () => {
  const fixture = new DaemonFixture();
  let daemon: DaemonProcess;
  let prometheus: RunningPrometheus;

  const hasData = async (query: string): Promise<{ ok: boolean; why: string; result: VectorSample[] }> => {
    const response = await prometheus.query(query);
    if (response.status !== 'success') return { ok: false, why: response.error ?? 'error', result: [] };
    const result = response.data?.result;
    if (!Array.isArray(result) || result.length === 0) return { ok: false, why: 'no data', result: [] };
    return { ok: true, why: '', result: result as VectorSample[] };
  };

  /** Grafana's resolution of a query variable: label values of the selector; multi + All → `(a|b)`. */
  const labelValues = async (selector: string, label: string): Promise<string[]> => {
    const body = await prometheus.api<{ data: string[] }>(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(selector)}`);
    return body.data ?? [];
  };

  /** Variable assignments to try for one dashboard: one per agent (the agent dashboard) or All (the fleet). */
  const assignments = async (file: string): Promise<Array<Record<string, string>>> => {
    const variables = templateVariables(file);
    const agents = await labelValues('plasticd_env_steps_total', 'agent');
    const agentVariable = variables.find((v) => v.name === 'agent')!;
    const starts: Array<Record<string, string>> = agentVariable.includeAll ? [{ agent: `(${agents.join('|')})` }] : agents.map((agent) => ({ agent }));
    const result: Array<Record<string, string>> = [];
    for (const start of starts) {
      const values: Record<string, string> = { ...INTERVALS, ...start };
      for (const variable of variables) {
        if (variable.name === 'agent') continue;
        const found = await labelValues(substitute(variable.selector, values), variable.label);
        values[variable.name] = found.length === 0 ? '__none__' : variable.includeAll ? `(${found.join('|')})` : found[0];
      }
      result.push(values);
    }
    return result;
  };

  /** Expressions of the dashboards that return no data for any assignment of their variables. */
  const dashboardFailures = async (): Promise<Failure[]> => {
    const failures: Failure[] = [];
    for (const file of DASHBOARD_FILES) {
      const tries = await assignments(file);
      for (const { where, expr } of dashboardExpressions(file)) {
        let why = 'no assignment';
        let query = expr;
        for (const values of tries) {
          query = substitute(expr, values);
          if (query.includes('$')) {
            why = 'unsubstituted variable';
            break;
          }
          const answer = await hasData(query);
          why = answer.why;
          if (answer.ok) break;
        }
        if (why !== '') failures.push({ where, query, why });
      }
    }
    return failures;
  };

  before(async () => {
    await fixture.setup(CONFIG);
    daemon = await fixture.start();
    const target = new URL(daemon.url).host;
    prometheus = await startPrometheus({ scrapeTargets: [target], ruleFiles: [ALERTS_FILE], scrapeInterval: '1s' });
    await waitFor('readiness', async () => (await getJson(`${daemon.url}/readyz`)).status === 200, 120_000);
    // Until every dashboard expression has data (resets, audits, shifts, curvature need a few windows).
    await waitFor('data for every dashboard expression', async () => (await dashboardFailures()).length === 0, 150_000, 2000).catch(() => undefined);
  });

  after(async () => {
    await prometheus?.stop();
    await fixture.stop();
  });

  it('stores every metric family the daemon exposes', async () => {
    const exposition = await (await fetch(`${daemon.url}/metrics`)).text();
    const families = new Set(parseExposition(exposition).map((sample) => sample.name));
    const response = await prometheus.query('count by (__name__) ({job="plasticd"})');
    const stored = new Set((response.data!.result as VectorSample[]).map((sample) => sample.metric.__name__));
    assert.deepEqual([...families].filter((name) => !stored.has(name)), []);
    assert.ok(families.size > 60, `only ${families.size} families`);
    for (const family of ['plasticd_reset_audit_spearman', 'plasticd_curvature_srank', 'plasticd_resets_total', 'plasticd_saturated_units_ratio', 'plasticd_window_accuracy_ratio', 'plasticd_episode_return']) {
      assert.ok(families.has(family), `the daemon exports ${family}`);
    }
  });

  it('returns data for every expression of the shipped dashboards', async () => {
    const expressions = DASHBOARD_FILES.flatMap(dashboardExpressions);
    assert.ok(expressions.length > 50, `only ${expressions.length} expressions found`);
    const failures = await dashboardFailures();
    const agents = failures.length > 0 ? JSON.stringify((await getJson(`${daemon.url}/api/agents`)).body) : '';
    assert.deepEqual(failures.map((f) => `${f.where}: ${f.why}\n  ${f.query}`), [], `agents: ${agents}\n${daemon.output().slice(-3000)}`);
  });

  it('evaluates every alert rule, whose series all exist, and the error alert finds the diverged agent', async () => {
    const rules = alertRules();
    assert.equal(rules.length, 5);
    const problems: string[] = [];
    for (const { alert, expr } of rules) {
      const response = await prometheus.query(expr);
      if (response.status !== 'success') problems.push(`${alert}: ${response.error}`);
      for (const name of metricNames(expr)) {
        if (!(await hasData(`count(${name}{job="plasticd"})`)).ok) problems.push(`${alert}: no series ${name}`);
      }
    }
    assert.deepEqual(problems, []);
    const inError = await hasData(rules.find((rule) => rule.alert === 'PlasticdAgentInError')!.expr);
    assert.deepEqual(inError.result.map((sample) => sample.metric.agent), ['diverges']);
    // The rule is loaded and evaluated by Prometheus itself: pending (for: 1m) for the diverged agent.
    await waitFor('the PlasticdAgentInError alert', async () => {
      const { data } = await prometheus.api<{ data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }>('/api/v1/alerts');
      return data.alerts.some((a) => a.labels.alertname === 'PlasticdAgentInError' && a.labels.agent === 'diverges' && ['pending', 'firing'].includes(a.state));
    }, 15_000);
  });

  it('passes promtool check rules and promtool check metrics on the daemon /metrics text', async () => {
    const rules = promtool(['check', 'rules', ALERTS_FILE]);
    assert.equal(rules.status, 0, rules.stdout + rules.stderr);
    const exposition = await (await fetch(`${daemon.url}/metrics`)).text();
    const metrics = promtool(['check', 'metrics'], exposition);
    assert.equal(metrics.status, 0, metrics.stdout + metrics.stderr);
  });
});
