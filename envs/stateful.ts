/**
 * Checkpointing an env stack: every layer that carries state across steps or episodes (a classic
 * env's physical state and RNG, TimeLimit's step counter, normalisation statistics, a
 * nonstationary schedule) implements `StatefulEnvPart`, and `captureEnvState` / `restoreEnvState`
 * walk the wrapper chain so a run resumes bit for bit. No Gymnasium counterpart (it pickles envs).
 */
import { PlasticdError } from '../src/util/errors.ts';
import { wrapperChain } from './core.ts';
import type { Env } from './core.ts';

export interface StatefulEnvPart {
  /** A JSON-serialisable snapshot of this layer's own state (not its inner env's). */
  envState(): unknown;
  /** Puts back a snapshot taken by `envState()` on a layer built the same way. */
  restoreEnvState(state: unknown): void;
}

export function isStatefulEnvPart(x: unknown): x is StatefulEnvPart {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as StatefulEnvPart).envState === 'function' &&
    typeof (x as StatefulEnvPart).restoreEnvState === 'function'
  );
}

function layerName(layer: unknown): string {
  return (layer as { constructor?: { name?: string } })?.constructor?.name ?? 'env';
}

/** One entry per layer of the wrapper chain, outermost first; null where the layer is stateless. */
export function captureEnvState(env: Env<any, any>): unknown[] {
  return wrapperChain(env).map((layer) => (isStatefulEnvPart(layer) ? layer.envState() : null));
}

/**
 * Restores a snapshot from `captureEnvState` into a stack built the same way (e.g. by the same
 * `make()` call). Throws if the stacks differ in depth or in which layers carry state.
 */
export function restoreEnvState(env: Env<any, any>, states: unknown[]): void {
  const chain = wrapperChain(env);
  if (!Array.isArray(states) || states.length !== chain.length) {
    throw new PlasticdError(
      'env_state_mismatch',
      `env state has ${Array.isArray(states) ? states.length : 'no'} layers but the env ${String(env)} has ${chain.length}; restore into an env built the same way`,
    );
  }
  chain.forEach((layer, i) => {
    const state = states[i];
    if (isStatefulEnvPart(layer)) {
      if (state === null || state === undefined) {
        throw new PlasticdError('env_state_mismatch', `layer ${i} (${layerName(layer)}) carries state but the snapshot has none for it`);
      }
      layer.restoreEnvState(state);
    } else if (state !== null && state !== undefined) {
      throw new PlasticdError('env_state_mismatch', `layer ${i} (${layerName(layer)}) is stateless but the snapshot has state for it`);
    }
  });
}

/** Small guard for `restoreEnvState` implementations: a plain object with the expected keys. */
export function expectStateObject(state: unknown, owner: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof state !== 'object' || state === null) {
    throw new PlasticdError('invalid_env_state', `${owner}: expected a state object, got ${String(state)}`);
  }
  const record = state as Record<string, unknown>;
  for (const key of keys) {
    if (!(key in record)) throw new PlasticdError('invalid_env_state', `${owner}: state is missing "${key}"`);
  }
  return record;
}
