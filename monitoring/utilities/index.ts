/**
 * Registry of the per-unit utilities (reset criteria) by name, for configs and the API.
 */
import { PlasticdError } from '../../src/util/errors.ts';
import { activationUtility } from './activation.ts';
import { adaptableContributionUtility, contributionUtility, zeroContributionUtility } from './contribution.ts';
import { gradientUtility } from './gradient.ts';
import { gxdUtility } from './gxd.ts';
import { randomUtility } from './random.ts';
import { redoUtility } from './redo.ts';
import { CRITERIA } from './unit-utility.ts';
import type { CriterionName, UnitUtility } from './unit-utility.ts';

export { CRITERIA, statRow } from './unit-utility.ts';
export type { CriterionName, UnitUtility } from './unit-utility.ts';
export * from './running-average.ts';

export const UNIT_UTILITIES: Readonly<Record<CriterionName, UnitUtility>> = Object.freeze({
  gxd: gxdUtility,
  contribution: contributionUtility,
  'zero-contribution': zeroContributionUtility,
  'adaptable-contribution': adaptableContributionUtility,
  activation: activationUtility,
  gradient: gradientUtility,
  redo: redoUtility,
  random: randomUtility,
});

export function isCriterionName(name: string): name is CriterionName {
  return (CRITERIA as readonly string[]).includes(name);
}

export function getUtility(name: string): UnitUtility {
  if (!isCriterionName(name)) {
    throw new PlasticdError('unknown_criterion', `Unknown reset criterion '${name}'; expected one of ${CRITERIA.join(', ')}.`);
  }
  return UNIT_UTILITIES[name];
}
