/**
 * Writes the shipped dashboards to monitoring/grafana/dashboards/ from their TypeScript sources.
 * Run after editing a dashboard: `npx tsx monitoring/grafana/build-dashboards.ts`. A test checks the
 * committed JSON equals what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { agentDashboard } from './agent-dashboard.ts';
import { fleetDashboard } from './fleet-dashboard.ts';
import { workersDashboard } from './workers-dashboard.ts';

export const DASHBOARD_FILES: Record<string, () => Record<string, unknown>> = {
  'plasticd-fleet.json': fleetDashboard,
  'plasticd-agent.json': agentDashboard,
  'plasticd-workers.json': workersDashboard,
};

export function renderDashboard(build: () => Record<string, unknown>): string {
  return JSON.stringify(build(), null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = new URL('./dashboards/', import.meta.url);
  for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
    writeFileSync(new URL(file, folder), renderDashboard(build));
    console.log(`wrote monitoring/grafana/dashboards/${file}`);
  }
}
