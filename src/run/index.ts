/** One agent run: spec → env/stream + agent + monitor, the step loop, events, checkpoints. */
export * from './events.ts';
export { AgentRun } from './agent-run.ts';
export type { AgentRunOptions, AgentRunState, ResetNowRequest, RunCounters, RunEventBody } from './agent-run.ts';
export { buildEnv, buildRun, deriveSeeds } from './build-run.ts';
export { RecentExamples, type RecentExamplesState } from './recent-examples.ts';
export type { BuildRunOptions, BuiltRun, RunSeeds } from './build-run.ts';
export { AGENT_KINDS, agentSpecSchema, describeEnvOf, parseAgentSpec } from '../config/agent-spec.ts';
export type { AgentBlock, AgentKind, AgentSpec, AgentSpecInput, EnvBlock, StreamBlock } from '../config/agent-spec.ts';
