/**
 * What a queue worker exports at /metrics: its own state (plasticd_worker_*) beside the same per-run
 * series the daemon exports for an agent (the PrometheusExporter, with the run id as the `agent`
 * label), so one Grafana dashboard reads both. A run's series are removed when it leaves the worker,
 * which keeps the label set bounded by the worker's concurrency.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { PrometheusExporter } from '../../monitoring/exporters/prometheus.ts';
import { libm } from '../util/libm.ts';

export const RUN_OUTCOMES = ['finished', 'failed', 'interrupted', 'abandoned', 'error'] as const;
export type WorkerRunOutcome = (typeof RUN_OUTCOMES)[number];

export interface WorkerMetrics {
  registry: Registry;
  exporter: PrometheusExporter;
  runStarted(): void;
  runEnded(outcome: WorkerRunOutcome): void;
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
  return {
    registry,
    exporter,
    runStarted: () => active.inc(),
    runEnded: (outcome) => {
      active.dec();
      ended.inc({ outcome });
    },
  };
}
