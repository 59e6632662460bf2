/**
 * What the supervisor keeps per agent (its spec, directory, worker channel, lifecycle state and
 * counters) and the API views of it (AgentSummary, AgentDetail).
 */
import type { Logger } from 'pino';
import { describeEnvOf } from '../config/agent-spec.ts';
import type { AgentSpec } from '../config/agent-spec.ts';
import type { RunCounters } from '../run/agent-run.ts';
import type { AgentState, WindowEvent } from '../run/events.ts';
import type { AgentDirectory } from './store/index.ts';
import type { AgentDetail, AgentSummary } from './supervisor-api.ts';
import type { AgentChannel, AgentChannelFactory } from './agent-channel.ts';
import { WorkerChannel } from './worker-channel.ts';

export interface AgentEntry {
  id: string;
  /** The spec as given (stored in spec.json; parsed again on every start). */
  raw: Record<string, unknown>;
  spec: AgentSpec | null;
  dir: AgentDirectory | null;
  /** Where the run trains: a worker thread here, or a queue worker. */
  worker: AgentChannel;
  state: AgentState;
  reason?: string;
  counters: RunCounters;
  /** Highest event seq taken from the worker (or synthesised here). */
  lastSeq: number;
  lastWindow: WindowEvent | null;
  lastCheckpointStep: number | null;
  createdAt: string;
  learningRate: number | null;
  /** Serialises checkpoints, pauses, patches and deletes of this agent. */
  queue: Promise<unknown>;
  logger: Logger;
  ready: Promise<void> | null;
}

/** A new agent, 'starting', with no worker started yet. */
export function newAgentEntry(
  id: string,
  raw: Record<string, unknown>,
  spec: AgentSpec | null,
  logger: Logger,
  requestTimeoutMs: number,
  channel: AgentChannelFactory = (agent, timeoutMs) => new WorkerChannel(agent, timeoutMs),
): AgentEntry {
  return {
    id,
    raw,
    spec,
    dir: null,
    worker: channel(id, requestTimeoutMs),
    state: 'starting',
    counters: { steps: 0, episodes: 0, windows: 0, shifts: 0, lastReturn: null, nextSeq: 1 },
    lastSeq: 0,
    lastWindow: null,
    lastCheckpointStep: null,
    createdAt: new Date().toISOString(),
    learningRate: null,
    queue: Promise.resolve(),
    logger: logger.child({ agent: id }),
    ready: null,
  };
}

export function agentSummary(entry: AgentEntry): AgentSummary {
  const spec = entry.spec;
  return {
    id: entry.id,
    state: entry.state,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    env: spec ? describeEnvOf(spec) : 'unknown',
    agentKind: spec ? spec.agent.kind : 'unknown',
    steps: entry.counters.steps,
    episodes: entry.counters.episodes,
    windows: entry.counters.windows,
    lastReturn: entry.counters.lastReturn,
    lastCheckpointStep: entry.lastCheckpointStep,
    createdAt: entry.createdAt,
    host: entry.worker.host,
  };
}

export function agentDetail(entry: AgentEntry): AgentDetail {
  return { ...agentSummary(entry), spec: entry.spec ?? entry.raw, lastWindow: entry.lastWindow };
}
