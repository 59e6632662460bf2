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
