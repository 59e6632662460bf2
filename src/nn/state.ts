/**
 * The optimizer part of a NetworkState (`NetworkState.optimizer`): the optimizer and regularizer
 * configs plus every per-element state tensor (Adam's m, v, step; SGD's momentum), each split per
 * parameter in the contract layout (weights [fanOut × fanIn]), so a snapshot can be inspected entry
 * by entry and restored bit for bit.
 */
import { PlasticdError } from '../util/errors.ts';
import type { OptimizerConfig } from './optimizers/optimizer.ts';
import type { ParameterLayout } from './parameter-layout.ts';
import type { RegularizerConfig } from './regularizers.ts';
import { checkObgdRegularizers } from './optimizers/obgd.ts';
import { sameArchitecture } from './spec.ts';
import type { NetworkSpec, NetworkState } from './types.ts';
import type { Rng } from '../util/rng.ts';

export interface OptimizerSnapshot {
  config: OptimizerConfig;
  regularizers: RegularizerConfig;
  /** slot name (m, v, step, momentum) → parameter name → values. */
  slots: Record<string, Record<string, Float32Array>>;
}

export function optimizerSnapshot(
  layout: ParameterLayout,
  config: OptimizerConfig,
  regularizers: RegularizerConfig,
  flatSlots: Record<string, Float32Array>,
): OptimizerSnapshot {
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const [name, flat] of Object.entries(flatSlots)) slots[name] = layout.toRecord(flat);
  return { config: structuredClone(config), regularizers: structuredClone(regularizers), slots };
}

export function parseOptimizerSnapshot(
  layout: ParameterLayout,
  value: unknown,
): { config: OptimizerConfig; regularizers: RegularizerConfig; slots: Record<string, Float32Array> } {
  const snapshot = value as Partial<OptimizerSnapshot> | null;
  if (!snapshot || typeof snapshot !== 'object' || !snapshot.config || !snapshot.slots) {
    throw new PlasticdError('nn_state_mismatch', 'NetworkState.optimizer must be an object with config, regularizers and slots, as written by Network.state().');
  }
  const slots: Record<string, Float32Array> = {};
  for (const [name, record] of Object.entries(snapshot.slots)) slots[name] = layout.fromRecord(record, `optimizer slot "${name}"`);
  return { config: structuredClone(snapshot.config), regularizers: structuredClone(snapshot.regularizers ?? {}), slots };
}

/** The whole NetworkState, written the same way by both engines. */
export function buildNetworkState(args: {
  spec: NetworkSpec;
  layout: ParameterLayout;
  parameters: Float32Array;
  initialParameters: Float32Array;
  optimizerConfig: OptimizerConfig;
  regularizers: RegularizerConfig;
  optimizerSlots: Record<string, Float32Array>;
  rng: Rng;
  updates: number;
}): NetworkState {
  return {
    formatVersion: 1,
    spec: structuredClone(args.spec),
    parameters: args.layout.toRecord(args.parameters),
    initialParameters: args.layout.toRecord(args.initialParameters),
    optimizer: optimizerSnapshot(args.layout, args.optimizerConfig, args.regularizers, args.optimizerSlots),
    rng: args.rng.state(),
    updates: args.updates,
  };
}

/**
 * Checks a NetworkState against a network (format version, architecture, ObGD/regularizer
 * compatibility) and returns its flat parameter vectors and optimizer snapshot; both engines restore
 * from this.
 */
export function readNetworkState(
  layout: ParameterLayout,
  spec: NetworkSpec,
  state: NetworkState,
): { parameters: Float32Array; initialParameters: Float32Array; snapshot: ReturnType<typeof parseOptimizerSnapshot> } {
  if (state.formatVersion !== 1) {
    throw new PlasticdError('nn_state_mismatch', `Unsupported NetworkState formatVersion ${String(state.formatVersion)}; this build reads 1.`);
  }
  if (!sameArchitecture(spec, state.spec)) {
    throw new PlasticdError('nn_state_mismatch', `The state is for a different architecture (network "${state.spec.name}"); sizes and LayerNorm placement must match "${spec.name}".`);
  }
  const parameters = layout.fromRecord(state.parameters, 'state.parameters');
  const initialParameters = layout.fromRecord(state.initialParameters, 'state.initialParameters');
  const snapshot = parseOptimizerSnapshot(layout, state.optimizer);
  checkObgdRegularizers(snapshot.config.kind, snapshot.regularizers);
  return { parameters, initialParameters, snapshot };
}

/** Network.copyFrom's precondition: the source has the same architecture (sizes, activations aside, and LayerNorm placement). */
export function assertSameSpec(target: NetworkSpec, source: NetworkSpec): void {
  if (!sameArchitecture(target, source)) {
    throw new PlasticdError('nn_state_mismatch', `copyFrom: network "${source.name}" has a different architecture from "${target.name}"; sizes and LayerNorm placement must match.`);
  }
}
