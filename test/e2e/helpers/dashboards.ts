/**
 * The PromQL of the shipped Grafana dashboards and Prometheus alert rules, for the end-to-end tests:
 * every panel target, annotation and `label_values()` variable of a dashboard, the alert rules, the
 * metric names an expression reads, and Grafana-like template substitution.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
export const ALERTS_FILE = root('monitoring/prometheus/alerts.yml');
export const DASHBOARD_FILES = ['monitoring/grafana/dashboards/plasticd-fleet.json', 'monitoring/grafana/dashboards/plasticd-agent.json'];

export interface Expression {
  where: string;
  expr: string;
}

export interface TemplateVariable {
  name: string;
  /** The selector of `label_values(selector, label)`. */
  selector: string;
  label: string;
  includeAll: boolean;
}

/** Every PromQL expression in a dashboard: panel targets, annotations and label_values() variables. */
export function dashboardExpressions(file: string): Expression[] {
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

/** The dashboard's query variables in declaration order (later ones may use earlier ones). */
export function templateVariables(file: string): TemplateVariable[] {
  const dashboard = JSON.parse(readFileSync(root(file), 'utf8')) as { templating: { list: Array<Record<string, unknown>> } };
  return dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const match = /^label_values\((.*),\s*(\w+)\)$/.exec(String(variable.definition));
      assert.ok(match, `variable ${String(variable.name)} in ${file}: expected label_values(selector, label)`);
      return { name: String(variable.name), selector: match[1], label: match[2], includeAll: variable.includeAll === true };
    });
}

/** Replaces `$name` / `${name}` with `values[name]`; unknown names are left as they are. */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}

export interface AlertRule {
  alert: string;
  expr: string;
}

export function alertRules(): AlertRule[] {
  const file = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

const PROMQL_WORDS = new Set([
  'and', 'or', 'unless', 'on', 'ignoring', 'by', 'without', 'group_left', 'group_right', 'bool', 'offset',
  'sum', 'min', 'max', 'avg', 'count', 'abs', 'time', 'rate', 'increase', 'changes', 'max_over_time', 'min_over_time',
  'sum_over_time', 'avg_over_time', 'histogram_quantile', 'label_values', 'job', 'instance', 'agent', 'network', 'layer',
  'criterion', 'state', 'tau', 'kind', 'quantile', 'le',
]);

/** Metric names an expression reads: identifiers outside quotes, matchers and ranges that are not PromQL keywords, functions or label names. */
export function metricNames(expr: string): string[] {
  const bare = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    if (!PROMQL_WORDS.has(word)) names.add(word);
  }
  return [...names];
}
