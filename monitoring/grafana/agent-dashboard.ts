/**
 * The per-agent plasticity dashboard (uid plasticd-agent): returns with shift annotations, and per
 * network and hidden layer the metrics of the plasticity monitor (dead, dormant, saturated and
 * duplicate units, ranks, weights, gradient and update norms, curvature), unit utilities per reset
 * criterion, resets and the reset audit.
 */
import { DashboardLayout, annotations, dashboard, datasourceVariable, queryVariable } from './dashboard-model.ts';
import { STATE_MAPPINGS, stateCodeExpr } from './agent-states.ts';

const A = 'agent="$agent"';
const N = `${A}, network=~"$network"`;
const L = `${N}, layer=~"$layer"`;
const LAYER_LEGEND = '{{network}}/{{layer}}';

export function agentDashboard(): Record<string, unknown> {
  const layout = new DashboardLayout()
    .row('Performance')
    .panel({ title: 'Return', description: 'Mean episode return of each window and the return of each episode; orange marks are shifts.', targets: [
      { expr: `plasticd_window_return{${A}}`, legend: 'window mean' },
      { expr: `plasticd_episode_return{${A}}`, legend: 'latest episode' },
    ], width: 12 })
    .panel({ title: 'Loss', description: 'Mean training loss per network; online loss and accuracy for supervised streams.', targets: [
      { expr: `plasticd_loss{${N}}`, legend: '{{network}} training' },
      { expr: `plasticd_window_loss{${A}}`, legend: 'online loss' },
      { expr: `plasticd_window_accuracy_ratio{${A}}`, legend: 'online accuracy' },
    ], width: 12 })
    .panel({ title: 'Throughput', description: 'Env steps and optimizer updates per second.', targets: [
      { expr: `rate(plasticd_env_steps_total{${A}}[$__rate_interval])`, legend: 'env steps / s' },
      { expr: `rate(plasticd_updates_total{${N}}[$__rate_interval])`, legend: '{{network}} updates / s' },
      { expr: `60 * rate(plasticd_windows_total{${A}}[$__rate_interval])`, legend: 'windows / min' },
    ] })
    .panel({ title: 'Episodes', description: 'Episodes finished per minute and in each monitoring window, and their length.', targets: [
      { expr: `60 * rate(plasticd_episodes_total{${A}}[$__rate_interval])`, legend: 'episodes / min' },
      { expr: `plasticd_window_episodes{${A}}`, legend: 'episodes in window' },
      { expr: `plasticd_episode_length{${A}}`, legend: 'latest episode length' },
    ] })
    .panel({ type: 'state-timeline', title: 'State', description: 'Lifecycle state of the agent.', targets: [{ expr: stateCodeExpr(A), legend: '{{agent}}' }], mappings: STATE_MAPPINGS, height: 8 })
    .row('Units (per hidden layer)')
    .panel({ title: 'Dead units', description: 'Fraction of units exactly zero on every probe sample (Dohare et al. 2024).', targets: [{ expr: `plasticd_dead_units_ratio{${L}}`, legend: LAYER_LEGEND }], unit: 'percentunit', min: 0, max: 1, width: 6 })
    .panel({ title: 'Dormant units', description: 'tau-dormant fraction, tau 0.025 and 0.1 (ReDo, Sokar et al. 2023).', targets: [{ expr: `plasticd_dormant_units_ratio{${L}}`, legend: `${LAYER_LEGEND} tau {{tau}}` }], unit: 'percentunit', min: 0, max: 1, width: 6 })
    .panel({ title: 'Saturated units', description: 'tanh/sigmoid units saturated on more than 99% of probe samples.', targets: [{ expr: `plasticd_saturated_units_ratio{${L}}`, legend: LAYER_LEGEND }], unit: 'percentunit', min: 0, max: 1, width: 6 })
    .panel({ title: 'Duplicate units', description: 'Units with a twin above 0.95 similarity, by uncentred cosine and by Pearson correlation.', targets: [{ expr: `plasticd_duplicate_units_ratio{${L}}`, legend: `${LAYER_LEGEND} {{measure}}` }], unit: 'percentunit', min: 0, max: 1, width: 6 })
    .row('Rank (per hidden layer)')
    .panel({ title: 'Effective rank', description: 'Roy & Vetterli effective rank of the probe activations, and the layer width for scale.', targets: [
      { expr: `plasticd_effective_rank{${L}}`, legend: LAYER_LEGEND },
      { expr: `plasticd_layer_units{${L}}`, legend: `${LAYER_LEGEND} width` },
    ], width: 6 })
    .panel({ title: 'srank', description: 'Singular values needed for 99% of their sum (Kumar et al. 2021).', targets: [{ expr: `plasticd_srank{${L}}`, legend: LAYER_LEGEND }], width: 6 })
    .panel({ title: 'Stable rank', description: 'sum(sigma^2) / max(sigma)^2 of the probe activations.', targets: [{ expr: `plasticd_stable_rank{${L}}`, legend: LAYER_LEGEND }], width: 6 })
    .panel({ title: 'Participation ratio', description: '(sum sigma^2)^2 / sum sigma^4 of the centred activations.', targets: [{ expr: `plasticd_participation_ratio{${L}}`, legend: LAYER_LEGEND }], width: 6 })
    .row('Weights and optimisation')
    .panel({ title: 'Weight magnitude', description: 'Mean |theta| per network and mean |W| of each layer\'s incoming weights.', targets: [
      { expr: `plasticd_weight_magnitude{${N}}`, legend: '{{network}}' },
      { expr: `plasticd_layer_weight_magnitude{${L}}`, legend: LAYER_LEGEND },
    ] })
    .panel({ title: 'Drift from initialisation', description: '||theta - theta0|| / ||theta0|| per network.', targets: [{ expr: `plasticd_weight_drift{${N}}`, legend: '{{network}}' }] })
    .panel({ title: 'Gradient and update norms', description: 'Mean global L2 norms of the gradient and of the parameter update over each window.', targets: [
      { expr: `plasticd_gradient_norm{${N}}`, legend: '{{network}} gradient' },
      { expr: `plasticd_update_norm{${N}}`, legend: '{{network}} update' },
    ] })
    .panel({ title: 'Curvature srank', description: 'srank of the Gauss-Newton matrix on a small batch (Lewandowski et al. 2023).', targets: [{ expr: `plasticd_curvature_srank{${N}}`, legend: '{{network}}' }] })
    .panel({ title: 'Durations', description: 'Wall time per env step and spent computing each plasticity report.', targets: [
      { expr: `plasticd_step_duration_seconds{${A}}`, legend: 'per step' },
      { expr: `plasticd_monitor_duration_seconds{${A}}`, legend: 'monitor' },
    ], unit: 's' })
    .panel({ title: 'tfjs memory of the worker', description: 'Live tensors and bytes in the agent\'s worker.', targets: [
      { expr: `plasticd_agent_tfjs_tensors{${A}}`, legend: 'tensors' },
      { expr: `plasticd_agent_tfjs_bytes{${A}}`, legend: 'bytes' },
    ] })
    .row('Utilities, resets and the reset audit')
    .panel({ title: 'Unit utility (p10, p50, p90)', description: 'Distribution of bias-corrected unit utilities per layer and reset criterion.', targets: [
      { expr: `plasticd_unit_utility{${L}, criterion=~"$criterion", statistic=~"p10|p50|p90"}`, legend: `${LAYER_LEGEND} {{criterion}} {{statistic}}` },
    ], width: 12 })
    .panel({ title: 'Units reset per second, by criterion', description: 'Units reinitialised by the reset policy.', targets: [
      { expr: `sum by (criterion) (rate(plasticd_reset_units_total{${L}, criterion=~"$criterion"}[$__rate_interval]))`, legend: '{{criterion}}' },
    ], width: 12 })
    .panel({ title: 'Reset decisions per layer', description: 'Reset decisions per interval, per layer.', targets: [
      { expr: `sum by (network, layer) (increase(plasticd_resets_total{${L}, criterion=~"$criterion"}[$__rate_interval]))`, legend: LAYER_LEGEND },
    ] })
    .panel({ title: 'Reset audit: Spearman', description: 'Rank correlation between each criterion\'s predicted reset cost and the realised change of held-out loss or output.', targets: [
      { expr: `plasticd_reset_audit_spearman{${N}, criterion=~"$criterion"}`, legend: '{{network}} {{criterion}} vs {{target}}' },
    ], min: -1, max: 1 })
    .panel({ title: 'Reset audit: units sampled', description: 'Units actually reset on a copy of the network in the latest audit.', targets: [
      { expr: `plasticd_reset_audit_sampled_units{${N}}`, legend: '{{network}}' },
    ] });

  return dashboard({
    uid: 'plasticd-agent',
    title: 'plasticd agent plasticity',
    description: 'One agent in depth: performance around shifts and every plasticity metric per network and hidden layer.',
    variables: [
      datasourceVariable(),
      queryVariable({ name: 'agent', label: 'Agent', query: 'label_values(plasticd_env_steps_total, agent)', multi: false }),
      queryVariable({ name: 'network', label: 'Network', query: 'label_values(plasticd_loss{agent="$agent"}, network)', multi: true }),
      queryVariable({ name: 'layer', label: 'Layer', query: 'label_values(plasticd_effective_rank{agent="$agent", network=~"$network"}, layer)', multi: true }),
      queryVariable({ name: 'criterion', label: 'Criterion', query: 'label_values(plasticd_unit_utility{agent="$agent"}, criterion)', multi: true }),
    ],
    annotations: annotations([
      { name: 'Shifts', expr: `changes(plasticd_last_shift_timestamp_seconds{${A}}[$__interval]) > 0`, iconColor: 'orange', title: 'Shift', text: 'environment shift', enable: true },
      { name: 'Resets', expr: `sum by (agent, network, layer) (changes(plasticd_resets_total{${A}}[$__interval])) > 0`, iconColor: 'purple', title: 'Reset', text: '{{network}}/{{layer}}', enable: false },
    ]),
    layout,
    links: [{ title: 'Fleet', type: 'link', url: '/d/plasticd-fleet', icon: 'dashboard', keepTime: true }],
  });
}
