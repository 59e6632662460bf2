/**
 * What the HTTP API needs from the supervisor (src/daemon/supervisor.ts implements it). The
 * express app (src/daemon/app.ts) depends on this interface only, so routes can be tested
 * against the real supervisor and the supervisor can be driven without HTTP.
 * Every method rejects with a PlasticdError whose code the app maps to an HTTP status
 * (`agent_not_found` → 404, `agent_exists` → 409, `invalid_state` → 409, `invalid_spec` → 400, …).
 */
import type { AgentState, RunEvent, WindowEvent } from '../run/events.ts';

export interface AgentSummary {
  id: string;
  state: AgentState;
  /** Why the agent is in 'error' (or was paused/stopped), if known. */
  reason?: string;
  /** Env id, or `stream:<id>` for supervised streams. */
  env: string;
  agentKind: string;
  steps: number;
  episodes: number;
  windows: number;
  /** Mean episode return (or accuracy/loss for streams) of the last window, if any. */
  lastReturn: number | null;
  lastCheckpointStep: number | null;
  createdAt: string;
  /** Where it trains: 'local' (a thread of the daemon), a queue worker's name, or 'queued' (no worker has taken it yet). */
  host: string;
}

export interface AgentDetail extends AgentSummary {
  /** The agent's spec as stored (validated AgentSpec). */
  spec: unknown;
  /** The last window report event, if any. */
  lastWindow: WindowEvent | null;
}

/** Fields a PATCH may change on a live agent. */
export interface AgentPatch {
  /** Change the reset policy's replacement rate, threshold, criterion; or turn resets off. */
  resetPolicy?: unknown;
  /** Optimizer learning rate of every network. */
  learningRate?: number;
  /** Human-readable note stored with the spec. */
  description?: string;
}

export interface SupervisorApi {
  listAgents(): AgentSummary[];
  getAgent(id: string): AgentDetail;
  /** Validates `spec` (AgentSpec), persists it, starts a worker. */
  createAgent(spec: unknown): Promise<AgentDetail>;
  patchAgent(id: string, patch: AgentPatch): Promise<AgentDetail>;
  deleteAgent(id: string): Promise<void>;
  pauseAgent(id: string): Promise<AgentSummary>;
  resumeAgent(id: string): Promise<AgentSummary>;
  /** Writes a checkpoint now; resolves with its step. */
  checkpointAgent(id: string): Promise<{ step: number; eventSeq: number }>;
  /** Resets units now through the monitor's policy (or the `units` lowest-utility units per layer). */
  resetAgentUnits(id: string, request: { network?: string; layer?: number; units?: number }): Promise<{ resets: number }>;
  /** Window events from the run log with report.window > since (ascending), at most `limit`. */
  windows(id: string, query: { since?: number; limit?: number }): Promise<WindowEvent[]>;
  /** True once every agent found on disk has been resumed (readiness). */
  ready(): boolean;
  /** Subscribe to every run event (for the feed and the exporter); returns an unsubscribe function. */
  onEvent(listener: (event: RunEvent) => void): () => void;
  info(): { name: string; version: string; backend: string; startedAt: string; dataDir: string };
}
