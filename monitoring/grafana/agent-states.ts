/**
 * The agent state as one number per agent for state-timeline panels: plasticd_agent_state has one
 * 0/1 series per state, and this sums state code × indicator, so the panel maps codes back to names.
 */
import type { PanelOptions } from './dashboard-model.ts';

const STATES = [
  { state: 'starting', color: 'blue' },
  { state: 'running', color: 'green' },
  { state: 'paused', color: 'yellow' },
  { state: 'error', color: 'red' },
  { state: 'stopped', color: 'text' },
] as const;

/** PromQL: the current state's code (0 starting … 4 stopped) per agent matching `agentSelector`. */
export function stateCodeExpr(agentSelector: string): string {
  return STATES.map(({ state }, code) => `${code} * sum by (agent) (plasticd_agent_state{${agentSelector}, state="${state}"})`).join('\n+ ');
}

export const STATE_MAPPINGS: NonNullable<PanelOptions['mappings']> = STATES.map(({ state, color }, code) => ({ value: code, text: state, color }));
