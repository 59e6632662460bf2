/**
 * The Prometheus metric families plasticd exposes, all registered on one injected registry.
 * Names follow DESIGN.md: prefix `plasticd_`, snake_case, base units, `_total` only on counters,
 * ratios in 0–1, labels only from bounded sets (agent, network, layer, criterion, small enums).
 * Help strings say what a value is and where it comes from (paper), so `/metrics` reads on its own.
 * Per-unit detail never becomes a label: it goes to the websocket feed.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

const AGENT = ['agent'] as const;
const NETWORK = ['agent', 'network'] as const;
const LAYER = ['agent', 'network', 'layer'] as const;

type Labels<T extends readonly string[]> = T[number];

function gauge<T extends readonly string[]>(registry: Registry, name: string, help: string, labelNames: T): Gauge<Labels<T>> {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

function counter<T extends readonly string[]>(registry: Registry, name: string, help: string, labelNames: T): Counter<Labels<T>> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** The utility summary statistics exported per layer and criterion (UtilitySummary fields). */
export const UTILITY_STATISTICS = ['min', 'p10', 'p50', 'p90', 'max', 'mean'] as const;

/** Creates every per-agent family (the process-level ones live in the exporter, they need callbacks). */
export function createAgentMetrics(registry: Registry) {
  return {
    agentState: gauge(registry, 'plasticd_agent_state',
      'Lifecycle state of an agent: 1 for the current state, 0 for the others (supervisor state events).',
      ['agent', 'state'] as const),
    agentTfjsTensors: gauge(registry, 'plasticd_agent_tfjs_tensors',
      'Live tfjs tensors in the agent\'s worker (tf.memory().numTensors); a steady climb is a leak.', AGENT),
    agentTfjsBytes: gauge(registry, 'plasticd_agent_tfjs_bytes',
      'Bytes held by tfjs tensors in the agent\'s worker (tf.memory().numBytes).', AGENT),

    envSteps: counter(registry, 'plasticd_env_steps_total',
      'Environment steps taken by the agent (examples seen, for supervised streams); seeded from the checkpoint on restart.', AGENT),
    episodes: counter(registry, 'plasticd_episodes_total', 'Episodes the agent finished (terminated or truncated).', AGENT),
    windows: counter(registry, 'plasticd_windows_total', 'Monitoring windows the agent completed (one plasticity report each).', AGENT),
    shifts: counter(registry, 'plasticd_shifts_total',
      'Nonstationarity events (task, physics, permutation changes) by info.shift.kind of the env or stream.', ['agent', 'kind'] as const),
    lastShiftTimestamp: gauge(registry, 'plasticd_last_shift_timestamp_seconds',
      'Unix time of the agent\'s latest shift; 0 until the first shift this process saw (use changes() for annotations).', AGENT),

    episodeReturn: gauge(registry, 'plasticd_episode_return', 'Undiscounted return of the agent\'s latest finished episode.', AGENT),
    episodeLength: gauge(registry, 'plasticd_episode_length', 'Length in env steps of the agent\'s latest finished episode.', AGENT),
    windowReturn: gauge(registry, 'plasticd_window_return',
      'Mean undiscounted episode return over the episodes finished in the latest monitoring window (online performance).', AGENT),
    windowEpisodes: gauge(registry, 'plasticd_window_episodes', 'Episodes finished in the latest monitoring window.', AGENT),
    windowLoss: gauge(registry, 'plasticd_window_loss',
      'Online loss over the latest window, for supervised streams (prediction error before each update).', AGENT),
    windowAccuracy: gauge(registry, 'plasticd_window_accuracy_ratio',
      'Online accuracy (0-1) over the latest window, for classification streams.', AGENT),
    windowDuration: gauge(registry, 'plasticd_window_duration_seconds',
      'Wall time between the agent\'s two latest window reports (training plus monitoring).', AGENT),
    stepDuration: gauge(registry, 'plasticd_step_duration_seconds',
      'Mean wall time per env step over the latest window (window duration / steps in it).', AGENT),
    monitorDuration: gauge(registry, 'plasticd_monitor_duration_seconds',
      'Wall time spent computing the latest plasticity report (probe-batch metrics, utilities, audit).', AGENT),

    updates: counter(registry, 'plasticd_updates_total', 'Optimizer updates (training steps) applied to the network.', NETWORK),
    loss: gauge(registry, 'plasticd_loss', 'Mean training loss of the network over the latest window\'s updates.', NETWORK),
    weightMagnitude: gauge(registry, 'plasticd_weight_magnitude',
      'Mean |theta| over all parameters of the network (weight growth, Lyle et al. 2024, arXiv:2402.18762).', NETWORK),
    weightDrift: gauge(registry, 'plasticd_weight_drift',
      'Relative distance from initialisation ||theta - theta0|| / ||theta0|| (dimensionless, may exceed 1).', NETWORK),
    gradientNorm: gauge(registry, 'plasticd_gradient_norm', 'Mean global L2 norm of the gradient over the latest window\'s updates.', NETWORK),
    updateNorm: gauge(registry, 'plasticd_update_norm', 'Mean global L2 norm of the parameter update over the latest window\'s updates.', NETWORK),
    curvatureSrank: gauge(registry, 'plasticd_curvature_srank',
      'srank of the Gauss-Newton matrix on a small batch (Lewandowski et al. 2023, arXiv:2312.00246); last computed value.', NETWORK),
    auditSampledUnits: gauge(registry, 'plasticd_reset_audit_sampled_units',
      'Units actually reset on a copy of the network in the latest reset audit.', NETWORK),
    auditSpearman: gauge(registry, 'plasticd_reset_audit_spearman',
      'Spearman correlation between a criterion\'s predicted reset cost and the realised change of the held-out loss or output (reset audit).',
      ['agent', 'network', 'criterion', 'target'] as const),

    layerUnits: gauge(registry, 'plasticd_layer_units', 'Units (width) of the hidden layer.', LAYER),
    deadUnits: gauge(registry, 'plasticd_dead_units_ratio',
      'Fraction of units exactly zero on every probe sample (Dohare et al. 2024, Nature).', LAYER),
    dormantUnits: gauge(registry, 'plasticd_dormant_units_ratio',
      'Fraction of tau-dormant units: mean |activation| / layer mean <= tau (ReDo, Sokar et al. 2023, arXiv:2302.12902).',
      ['agent', 'network', 'layer', 'tau'] as const),
    saturatedUnits: gauge(registry, 'plasticd_saturated_units_ratio',
      'Fraction of tanh/sigmoid units saturated on more than 99% of probe samples; absent for other activations.', LAYER),
    duplicateUnits: gauge(registry, 'plasticd_duplicate_units_ratio',
      'Fraction of units with a twin above 0.95 similarity (uncentred cosine or Pearson) on the probe batch.',
      ['agent', 'network', 'layer', 'measure'] as const),
    effectiveRank: gauge(registry, 'plasticd_effective_rank',
      'Effective rank exp(entropy of normalised singular values) of the probe activations (Roy & Vetterli 2007).', LAYER),
    srank: gauge(registry, 'plasticd_srank',
      'srank with delta 0.01: singular values needed for 99% of their sum (Kumar et al. 2021, arXiv:2010.14498).', LAYER),
    stableRank: gauge(registry, 'plasticd_stable_rank', 'Stable rank sum(sigma^2) / max(sigma)^2 of the probe activations.', LAYER),
    participationRatio: gauge(registry, 'plasticd_participation_ratio',
      'Participation ratio (sum sigma^2)^2 / sum sigma^4 of the centred activations: a count of directions, not a 0-1 ratio.', LAYER),
    layerWeightMagnitude: gauge(registry, 'plasticd_layer_weight_magnitude', 'Mean |W| of the layer\'s incoming weights.', LAYER),
    unitUtility: gauge(registry, 'plasticd_unit_utility',
      'Distribution of the layer\'s bias-corrected unit utilities per reset criterion (statistic: min, p10, p50, p90, max, mean).',
      ['agent', 'network', 'layer', 'criterion', 'statistic'] as const),
    resets: counter(registry, 'plasticd_resets_total',
      'Reset decisions (a policy choosing units of a layer: CBP, Dohare et al. 2024; ReDo, Sokar et al. 2023).',
      ['agent', 'network', 'layer', 'criterion'] as const),
    resetUnits: counter(registry, 'plasticd_reset_units_total', 'Units reinitialised by resets.',
      ['agent', 'network', 'layer', 'criterion'] as const),
  };
}

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
