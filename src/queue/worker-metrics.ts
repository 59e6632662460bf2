/**
 * What a queue worker exports at /metrics: its own state (plasticd_worker_*) beside, for the experiment
 * runs it trains, the same per-run series the daemon exports for an agent (the PrometheusExporter, with
 * the run id as the `agent` label), so one Grafana dashboard reads both. Daemon agents it hosts are
 * only counted here: the daemon exports their series. A run's series are removed when it leaves the worker,
 * which keeps the label set bounded by the worker's concurrency.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import { libm } from '../util/libm.ts';

export const RUN_OUTCOMES = ['finished', 'failed', 'interrupted', 'abandoned', 'error'] as const;
export const AGENT_OUTCOMES = ['exited', 'superseded', 'orphaned', 'lease-lost'] as const;
export type WorkerRunOutcome = (typeof RUN_OUTCOMES)[number];
/** How a hosted agent run left this worker (agent-host.ts). */
export type AgentJobOutcome = (typeof AGENT_OUTCOMES)[number];

export interface WorkerMetrics {
  registry: Registry;
  exporter: PrometheusExporter;
  runStarted(): void;
  runEnded(outcome: WorkerRunOutcome): void;
  agentStarted(): void;
  agentEnded(outcome: AgentJobOutcome): void;
}

export function createWorkerMetrics(options: { worker: string; queue: string; concurrency: number; version: string; backend: () => string }): WorkerMetrics {
  const registry = new Registry();
  const exporter = new PrometheusExporter({ registry, version: options.version, backend: options.backend, libm: libm.source });
  new Gauge({
    name: 'plasticd_worker_info',
    help: 'Constant 1 with the worker name, the queue it serves (URL without password) and its concurrency as labels.',
    labelNames: ['worker', 'queue', 'concurrency'] as const,
    registers: [registry],
  }).set({ worker: options.worker, queue: options.queue, concurrency: String(options.concurrency) }, 1);
  const active = new Gauge({ name: 'plasticd_worker_runs_active', help: 'Runs this worker is training now.', registers: [registry] });
  const ended = new Counter({
    name: 'plasticd_worker_runs_total',
    help: 'Runs that left this worker, by outcome: finished, failed (the run itself failed), interrupted (checkpointed at shutdown and handed back to the queue), abandoned (lease lost to another worker), error (an infrastructure error; the queue retries).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of RUN_OUTCOMES) ended.inc({ outcome }, 0);
  // Daemon agents hosted here: their training metrics are the daemon's to export (it gets every event);
  // the worker says only how many it hosts, so the two never export the same series twice.
  const agentsActive = new Gauge({ name: 'plasticd_worker_agents_active', help: "Daemon agents whose runs this worker hosts now (their metrics are on the daemon's /metrics).", registers: [registry] });
  const agentsEnded = new Counter({
    name: 'plasticd_worker_agent_runs_total',
    help: 'Hosted agent runs that ended here, by outcome: exited (stopped or moved by the daemon), superseded (the daemon moved on), orphaned (handed back: its first worker had died), lease-lost.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of AGENT_OUTCOMES) agentsEnded.inc({ outcome }, 0);
  return {
    registry,
    exporter,
    runStarted: () => active.inc(),
    runEnded: (outcome) => {
      active.dec();
      ended.inc({ outcome });
    },
    agentStarted: () => agentsActive.inc(),
    agentEnded: (outcome) => {
      agentsActive.dec();
      agentsEnded.inc({ outcome });
    },
  };
}
