/**
 * The fleet overview dashboard (uid plasticd-fleet): every agent's state, throughput, returns,
 * resets and the plasticity signals the alert rules watch, plus the daemon's own health.
 */
import { DashboardLayout, annotations, dashboard, datasourceVariable, queryVariable } from './dashboard-model.ts';
import { STATE_MAPPINGS, stateCodeExpr } from './agent-states.ts';

const A = 'agent=~"$agent"';
/** Restricts Node process metrics to targets that are plasticd daemons. */
const DAEMON = 'and on (job, instance) plasticd_build_info';

export function fleetDashboard(): Record<string, unknown> {
  const layout = new DashboardLayout()
    .row('Fleet')
    .panel({ type: 'stat', width: 4, title: 'Agents running', description: 'Agents whose state is running (plasticd_agent_state).', targets: [{ expr: `sum(plasticd_agent_state{${A}, state="running"})` }] })
    .panel({
      type: 'stat', width: 4, title: 'Agents in error', description: 'Agents in the error state; PlasticdAgentInError fires after a minute.',
      targets: [{ expr: `sum(plasticd_agent_state{${A}, state="error"})` }], thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
    })
    .panel({ type: 'stat', width: 4, title: 'Env steps / s', description: 'Environment steps per second over all selected agents.', targets: [{ expr: `sum(rate(plasticd_env_steps_total{${A}}[$__rate_interval]))` }], unit: 'short' })
    .panel({
      type: 'stat', width: 4, title: 'Layers > 50% dormant', description: 'Hidden layers with more than half of their units tau-dormant (tau 0.025); PlasticdDormantRatioHigh watches these.',
      targets: [{ expr: `sum(plasticd_dormant_units_ratio{${A}, tau="0.025"} > bool 0.5)` }], thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    })
    .panel({
      type: 'stat', width: 4, title: 'Layers with collapsed rank', description: 'Hidden layers whose effective rank is below a tenth of their width (PlasticdEffectiveRankCollapsed).',
      targets: [{ expr: `sum(plasticd_effective_rank{${A}} / plasticd_layer_units < bool 0.1)` }], thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    })
    .panel({ type: 'stat', width: 4, title: 'Feed clients', description: 'Websocket feed clients connected now.', targets: [{ expr: 'sum(plasticd_feed_clients)' }] })
    .panel({ type: 'state-timeline', width: 24, height: 6, title: 'Agent states', description: 'Lifecycle state of each agent over time.', targets: [{ expr: stateCodeExpr(A), legend: '{{agent}}' }], mappings: STATE_MAPPINGS })
    .row('Learning')
    .panel({ title: 'Env steps per second', description: 'rate(plasticd_env_steps_total) per agent.', targets: [{ expr: `sum by (agent) (rate(plasticd_env_steps_total{${A}}[$__rate_interval]))`, legend: '{{agent}}' }] })
    .panel({ title: 'Window return', description: 'Mean episode return over each agent\'s latest monitoring window.', targets: [{ expr: `plasticd_window_return{${A}}`, legend: '{{agent}}' }] })
    .panel({ title: 'Episode return', description: 'Return of each agent\'s latest finished episode.', targets: [{ expr: `plasticd_episode_return{${A}}`, legend: '{{agent}}' }] })
    .panel({ title: 'Units reset per second', description: 'Units reinitialised by reset policies, per agent.', targets: [{ expr: `sum by (agent) (rate(plasticd_reset_units_total{${A}}[$__rate_interval]))`, legend: '{{agent}}' }] })
    .panel({ title: 'Shifts', description: 'Nonstationarity events per interval, per agent and kind.', targets: [{ expr: `sum by (agent, kind) (increase(plasticd_shifts_total{${A}}[$__rate_interval]))`, legend: '{{agent}} {{kind}}' }] })
    .panel({ title: 'Training loss', description: 'Mean training loss per network over the latest window.', targets: [{ expr: `plasticd_loss{${A}}`, legend: '{{agent}} {{network}}' }] })
    .row('Plasticity signals')
    .panel({ title: 'Highest dormant ratio (tau 0.025)', description: 'The most dormant hidden layer of each agent (ReDo, Sokar et al. 2023).', targets: [{ expr: `max by (agent) (plasticd_dormant_units_ratio{${A}, tau="0.025"})`, legend: '{{agent}}' }], unit: 'percentunit', min: 0, max: 1 })
    .panel({ title: 'Highest dead ratio', description: 'The hidden layer with the most dead units, per agent.', targets: [{ expr: `max by (agent) (plasticd_dead_units_ratio{${A}})`, legend: '{{agent}}' }], unit: 'percentunit', min: 0, max: 1 })
    .panel({ title: 'Lowest effective rank / width', description: 'The least expressive hidden layer of each agent: effective rank divided by the layer width.', targets: [{ expr: `min by (agent) (plasticd_effective_rank{${A}} / plasticd_layer_units)`, legend: '{{agent}}' }], unit: 'percentunit', min: 0 })
    .row('Daemon')
    .panel({ title: 'Step and window time', description: 'Mean wall time per env step, per window, and spent computing the plasticity report.', targets: [
      { expr: `plasticd_step_duration_seconds{${A}}`, legend: '{{agent}} per step' },
      { expr: `plasticd_window_duration_seconds{${A}}`, legend: '{{agent}} window' },
      { expr: `plasticd_monitor_duration_seconds{${A}}`, legend: '{{agent}} monitor' },
    ], unit: 's' })
    .panel({ title: 'tfjs tensors', description: 'Live tfjs tensors per agent worker and in the main thread; a steady climb is a leak.', targets: [
      { expr: `plasticd_agent_tfjs_tensors{${A}}`, legend: '{{agent}}' },
      { expr: 'plasticd_tfjs_tensors', legend: 'main thread {{instance}}' },
    ] })
    .panel({ title: 'tfjs memory', description: 'Bytes held by tfjs tensors per agent worker and in the main thread.', targets: [
      { expr: `plasticd_agent_tfjs_bytes{${A}}`, legend: '{{agent}}' },
      { expr: 'plasticd_tfjs_bytes', legend: 'main thread {{instance}}' },
    ], unit: 'bytes' })
    .panel({ title: 'Feed', description: 'Websocket clients, and messages dropped or coalesced for slow clients per second.', targets: [
      { expr: 'plasticd_feed_clients', legend: 'clients' },
      { expr: 'rate(plasticd_feed_dropped_messages_total[$__rate_interval])', legend: 'dropped / s' },
      { expr: 'rate(plasticd_feed_coalesced_messages_total[$__rate_interval])', legend: 'coalesced / s' },
    ] })
    .panel({ title: 'Daemon CPU and memory', description: 'CPU seconds per second and resident memory of the daemon process (all worker threads).', targets: [
      { expr: `rate(process_cpu_seconds_total[$__rate_interval]) ${DAEMON}`, legend: 'CPU {{instance}}' },
      { expr: `process_resident_memory_bytes ${DAEMON}`, legend: 'RSS {{instance}}' },
    ] })
    .panel({ title: 'Event loop lag (p99)', description: 'The main thread only serves HTTP, websockets and metrics; lag here delays scrapes and the feed.', targets: [
      { expr: `nodejs_eventloop_lag_p99_seconds ${DAEMON}`, legend: '{{instance}}' },
    ], unit: 's' });

  return dashboard({
    uid: 'plasticd-fleet',
    title: 'plasticd fleet',
    description: 'All agents of the plasticd daemons: states, throughput, returns, resets and plasticity signals.',
    variables: [datasourceVariable(), queryVariable({ name: 'agent', label: 'Agent', query: 'label_values(plasticd_env_steps_total, agent)', multi: true })],
    annotations: annotations([
      { name: 'Shifts', expr: `changes(plasticd_last_shift_timestamp_seconds{${A}}[$__interval]) > 0`, iconColor: 'orange', title: 'Shift', text: '{{agent}}', enable: true },
    ]),
    layout,
    links: [{ title: 'Per-agent plasticity', type: 'link', url: '/d/plasticd-agent', icon: 'dashboard', includeVars: true, keepTime: true }],
  });
}
