/**
 * The queue workers dashboard (uid plasticd-workers): the `plasticd worker` processes that train queued
 * experiment runs and host daemon agents — how many report, what each trains, how runs leave them
 * (finished, handed back, lost), the experiment runs' throughput, and each worker's CPU and memory.
 * Worker metrics carry no `worker` label but plasticd_worker_info does: every panel joins on it
 * (`* on (job, instance) group_left (worker)`), which also keeps other jobs' process metrics out.
 */
import { DashboardLayout, annotations, dashboard, datasourceVariable, queryVariable } from './dashboard-model.ts';

const INFO = 'plasticd_worker_info{worker=~"$worker"}';
/** Keeps a worker's series and gives them its name. */
const BY_WORKER = `* on (job, instance) group_left (worker) ${INFO}`;

export function workersDashboard(): Record<string, unknown> {
  const layout = new DashboardLayout()
    .row('Workers')
    .panel({ type: 'stat', width: 6, title: 'Workers reporting', description: 'plasticd worker processes Prometheus scrapes now; a killed one drops out (its target shows up == 0).', targets: [{ expr: `count(${INFO})` }] })
    .panel({ type: 'stat', width: 6, title: 'Experiment runs training', description: 'Queued experiment runs the selected workers train now.', targets: [{ expr: `sum(plasticd_worker_runs_active ${BY_WORKER})` }] })
    .panel({ type: 'stat', width: 6, title: 'Daemon agents hosted', description: "Daemon agents whose runs the selected workers host now (their training metrics are on the daemon's /metrics).", targets: [{ expr: `sum(plasticd_worker_agents_active ${BY_WORKER})` }] })
    .panel({
      type: 'stat', width: 6, title: 'Runs handed on (1 h)', description: 'Experiment runs that left a worker unfinished in the last hour: checkpointed at shutdown, lease lost, or an error the queue retries.',
      targets: [{ expr: `sum(increase(plasticd_worker_runs_total{outcome=~"interrupted|abandoned|error"}[1h]) ${BY_WORKER})` }], thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    })
    .panel({ title: 'Runs and agents per worker', description: 'What each worker trains now.', targets: [
      { expr: `plasticd_worker_runs_active ${BY_WORKER}`, legend: '{{worker}} runs' },
      { expr: `plasticd_worker_agents_active ${BY_WORKER}`, legend: '{{worker}} agents' },
    ] })
    .panel({ title: 'Experiment runs leaving workers', description: 'Per second, by outcome: finished, failed (the run itself), interrupted (handed back at shutdown), abandoned (lease lost), error (retried).', targets: [
      { expr: `sum by (outcome) (rate(plasticd_worker_runs_total[$__rate_interval]) ${BY_WORKER})`, legend: '{{outcome}}' },
    ] })
    .panel({ title: 'Hosted agent runs ending', description: 'Per second, by outcome: exited (stopped or moved by the daemon), superseded, orphaned (its first worker died), lease-lost.', targets: [
      { expr: `sum by (outcome) (rate(plasticd_worker_agent_runs_total[$__rate_interval]) ${BY_WORKER})`, legend: '{{outcome}}' },
    ] })
    .row('Experiment runs')
    .panel({ title: 'Env steps per second', description: 'Each queued experiment run (the agent label is the run id) on the worker training it.', targets: [
      { expr: `sum by (agent, worker) (rate(plasticd_env_steps_total[$__rate_interval]) ${BY_WORKER})`, legend: '{{agent}} on {{worker}}' },
    ], width: 12 })
    .panel({ title: 'Windows per minute', description: 'Monitoring windows each run writes (the unit of its run log and report).', targets: [
      { expr: `60 * sum by (agent, worker) (rate(plasticd_windows_total[$__rate_interval]) ${BY_WORKER})`, legend: '{{agent}} on {{worker}}' },
    ], width: 12 })
    .row('Processes')
    .panel({ title: 'CPU', description: 'CPU seconds per second of each worker process (all its run threads).', targets: [
      { expr: `rate(process_cpu_seconds_total[$__rate_interval]) ${BY_WORKER}`, legend: '{{worker}}' },
    ], width: 12 })
    .panel({ title: 'Memory', description: 'Resident memory of each worker process.', targets: [
      { expr: `process_resident_memory_bytes ${BY_WORKER}`, legend: '{{worker}}' },
    ], unit: 'bytes', width: 12 });

  return dashboard({
    uid: 'plasticd-workers',
    title: 'plasticd queue workers',
    description: 'The plasticd worker processes of a Redis queue: what they train, how runs leave them, their throughput and resources.',
    variables: [datasourceVariable(), queryVariable({ name: 'worker', label: 'Worker', query: 'label_values(plasticd_worker_info, worker)', multi: true })],
    annotations: annotations([]),
    layout,
    links: [{ title: 'Fleet', type: 'link', url: '/d/plasticd-fleet', icon: 'dashboard', keepTime: true }],
  });
}
