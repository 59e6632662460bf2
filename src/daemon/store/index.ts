/**
 * The daemon's persistence: per-agent directories with spec, run log and rotated checkpoints.
 * The on-disk contract is in checkpoint-store.ts's header.
 */
export { AgentDirectory, AGENT_ID_PATTERN, agentDirectoryPath, deleteAgent, listAgents } from './agent-directory.ts';
export type { AgentDirectoryOptions, AgentListing, ResumePoint } from './agent-directory.ts';
export { CheckpointStore, MANIFEST_FILE } from './checkpoint-store.ts';
export type { CheckpointPosition, CheckpointStoreOptions, LoadedCheckpoint } from './checkpoint-store.ts';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.ts';
export { RunLog } from './run-log.ts';
export type { RunLogOptions, RunLogQuery } from './run-log.ts';
export { fsyncDirectory, writeFileAtomic } from './atomic-file.ts';
export { silentLogger } from './store-logger.ts';
export type { StoreLogger } from './store-logger.ts';
