/**
 * A reset decision: which units of which hidden layer a policy chose, on what evidence. Plain
 * JSON-able data; it goes to the run log, the feed and the reset audit. The units are in the order
 * chosen (ascending score, ties to the lower index) and `scores[k]` belongs to `units[k]`.
 */
import type { CriterionName } from '../utilities/unit-utility.ts';

export type ResetPolicyKind = 'replacement-rate' | 'threshold';

export interface ResetEvent {
  network: string;
  /** Hidden-layer index (never the output layer). */
  layer: number;
  layerName: string;
  /** The network's update counter when the units were chosen (StepTrace.step). */
  step: number;
  policy: ResetPolicyKind;
  criterion: CriterionName;
  units: number[];
  /**
   * The values the policy compared: the bias-corrected utility Û for the replacement-rate policy,
   * Û divided by the layer mean of Û for the threshold policy.
   */
  scores: number[];
  /** Σ over the chosen units of the bias-corrected GXD utility (first-order cost), or of the criterion's Û when GXD is not tracked. */
  predictedCost: number;
  /** Which criterion `predictedCost` sums. */
  costCriterion: CriterionName;
  /** ā of each chosen unit, to move into the next layer's bias (reference 'running-mean'); null for no transfer (reference 'zero'). */
  biasTransfer: number[] | null;
}
