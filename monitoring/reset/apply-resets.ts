/**
 * Carries out chosen resets: each event's units are reinitialised through
 * `network.reinitializeUnits` with zeroed outgoing weights and, when the tracker's reference is the
 * running mean, ā moved into the next layer's bias (algorithms.md §2.1 "Reset mechanics"; the
 * transfer gnt.py intends but, by its ordering, never performs, §2.2.3 step 8). Then exactly
 * those units' tracker state (utilities, ā, age) is cleared. Hidden layers only.
 */
import type { Network } from '../../src/nn/types.ts';
import { PlasticdError } from '../../src/util/errors.ts';
import type { ResetEvent } from './reset-event.ts';
import type { UnitTracker } from './unit-tracker.ts';

/** What applying resets needs from a network. */
export type ResettableNetwork = Pick<Network, 'name' | 'hiddenLayers' | 'reinitializeUnits'>;

/** Applies `events` (from `tracker.selectResets` at the current step) to `network` and `tracker`. */
export function applyResets(network: ResettableNetwork, tracker: UnitTracker, events: readonly ResetEvent[]): void {
  for (const event of events) checkEvent(network, tracker, event);
  for (const event of events) {
    network.reinitializeUnits(
      event.layer,
      event.units,
      event.biasTransfer === null ? { outgoing: 'zero' } : { outgoing: 'zero', biasTransfer: event.biasTransfer },
    );
    tracker.resetUnits(event.layer, event.units);
  }
}

function checkEvent(network: ResettableNetwork, tracker: UnitTracker, event: ResetEvent): void {
  const where = `reset of '${event.network}' layer ${event.layer} at step ${event.step}`;
  if (event.network !== network.name || event.network !== tracker.network) {
    throw new PlasticdError('invalid_reset', `The ${where} is for another network than '${network.name}'.`);
  }
  const layer = network.hiddenLayers[event.layer];
  if (!Number.isInteger(event.layer) || layer === undefined || event.layer >= tracker.layers.length) {
    throw new PlasticdError(
      'invalid_reset',
      `The ${where} names no hidden layer (0..${network.hiddenLayers.length - 1}); the output layer is never reset.`,
    );
  }
  if (event.step !== tracker.step) {
    throw new PlasticdError(
      'stale_reset',
      `The ${where} was chosen at another step than the tracker's ${tracker.step}; apply resets right after selecting them.`,
    );
  }
  const seen = new Set<number>();
  for (const unit of event.units) {
    if (!Number.isInteger(unit) || unit < 0 || unit >= layer.units || seen.has(unit)) {
      throw new PlasticdError('invalid_reset', `The ${where} lists unit ${unit}, not a distinct unit of 0..${layer.units - 1}.`);
    }
    seen.add(unit);
  }
  if (event.biasTransfer !== null && event.biasTransfer.length !== event.units.length) {
    throw new PlasticdError('invalid_reset', `The ${where} has ${event.biasTransfer.length} bias-transfer values for ${event.units.length} units.`);
  }
}
