/**
 * TEST FIXTURE: an in-memory SupervisorApi for driving the HTTP app without workers or disk. It
 * validates specs with the real parseAgentSpec, keeps agents and their window events in maps,
 * follows the state rules the real supervisor promises (pause only a running agent, resume only a
 * paused one) and records every call so tests can assert what reached the supervisor.
 */
import type { AgentDetail, AgentPatch, AgentSummary, SupervisorApi } from '../../../src/daemon/supervisor-api.ts';
import type { RunEvent, WindowEvent } from '../../../src/run/events.ts';
import { describeEnvOf, parseAgentSpec } from '../../../src/config/agent-spec.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

export const VALID_SPEC = { id: 'cartpole-gxd', env: { id: 'CartPole-v1' }, agent: { kind: 'dqn' } } as const;

export interface RecordedCall {
  method: string;
  args: unknown[];
}

interface MemoryAgent {
  summary: AgentSummary;
  spec: unknown;
  windows: WindowEvent[];
}

export function windowEvent(agent: string, window: number): WindowEvent {
  return {
    kind: 'window',
    agent,
    seq: window * 3,
    step: window * 1000,
    time: 1_700_000_000_000 + window,
    report: { window, step: window * 1000, networks: [], layers: [], performance: { episodeReturn: window }, audit: [], durationSeconds: 0.01 },
  };
}

export class MemorySupervisor implements SupervisorApi {
  readonly calls: RecordedCall[] = [];
  isReady = true;
  private readonly agents = new Map<string, MemoryAgent>();
  private readonly listeners = new Set<(event: RunEvent) => void>();

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private find(id: string): MemoryAgent {
    const agent = this.agents.get(id);
    if (agent === undefined) throw new PlasticdError('agent_not_found', `no agent '${id}'`);
    return agent;
  }

  private detail(agent: MemoryAgent): AgentDetail {
    return { ...agent.summary, spec: agent.spec, lastWindow: agent.windows.at(-1) ?? null };
  }

  /** Adds an agent (running) with `windows` window events, bypassing the API. */
  seed(spec: unknown, windows = 0): AgentDetail {
    const parsed = parseAgentSpec(spec);
    const agent: MemoryAgent = {
      summary: {
        id: parsed.id, state: 'running', env: describeEnvOf(parsed), agentKind: parsed.agent.kind,
        steps: windows * 1000, episodes: 0, windows, lastReturn: null, lastCheckpointStep: null, createdAt: '2026-01-01T00:00:00.000Z', host: 'local',
      },
      spec: parsed,
      windows: Array.from({ length: windows }, (_, index) => windowEvent(parsed.id, index + 1)),
    };
    this.agents.set(parsed.id, agent);
    return this.detail(agent);
  }

  listAgents(): AgentSummary[] {
    this.record('listAgents');
    return [...this.agents.values()].map((agent) => agent.summary);
  }

  getAgent(id: string): AgentDetail {
    this.record('getAgent', id);
    return this.detail(this.find(id));
  }

  async createAgent(spec: unknown): Promise<AgentDetail> {
    this.record('createAgent', spec);
    const parsed = parseAgentSpec(spec);
    if (this.agents.has(parsed.id)) throw new PlasticdError('agent_exists', `agent '${parsed.id}' already exists`);
    return this.seed(spec);
  }

  async patchAgent(id: string, patch: AgentPatch): Promise<AgentDetail> {
    this.record('patchAgent', id, patch);
    const agent = this.find(id);
    agent.spec = { ...(agent.spec as object), ...(patch.description === undefined ? {} : { description: patch.description }) };
    return this.detail(agent);
  }

  async deleteAgent(id: string): Promise<void> {
    this.record('deleteAgent', id);
    this.find(id);
    this.agents.delete(id);
  }

  async pauseAgent(id: string): Promise<AgentSummary> {
    this.record('pauseAgent', id);
    const agent = this.find(id);
    if (agent.summary.state !== 'running') throw new PlasticdError('invalid_state', `agent '${id}' is ${agent.summary.state}, not running`);
    agent.summary = { ...agent.summary, state: 'paused' };
    return agent.summary;
  }

  async resumeAgent(id: string): Promise<AgentSummary> {
    this.record('resumeAgent', id);
    const agent = this.find(id);
    if (agent.summary.state !== 'paused') throw new PlasticdError('invalid_state', `agent '${id}' is ${agent.summary.state}, not paused`);
    agent.summary = { ...agent.summary, state: 'running' };
    return agent.summary;
  }

  async checkpointAgent(id: string): Promise<{ step: number; eventSeq: number }> {
    this.record('checkpointAgent', id);
    const agent = this.find(id);
    agent.summary = { ...agent.summary, lastCheckpointStep: agent.summary.steps };
    return { step: agent.summary.steps, eventSeq: agent.windows.at(-1)?.seq ?? 0 };
  }

  async resetAgentUnits(id: string, request: { network?: string; layer?: number; units?: number }): Promise<{ resets: number }> {
    this.record('resetAgentUnits', id, request);
    this.find(id);
    if (request.network !== undefined && request.network !== 'q') {
      throw new PlasticdError('invalid_reset_request', `agent '${id}' has no network '${request.network}'; it has: q`);
    }
    return { resets: request.units ?? 1 };
  }

  async windows(id: string, query: { since?: number; limit?: number }): Promise<WindowEvent[]> {
    this.record('windows', id, query);
    const since = query.since ?? 0;
    return this.find(id).windows.filter((event) => event.report.window > since).slice(0, query.limit ?? Infinity);
  }

  ready(): boolean {
    return this.isReady;
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): { name: string; version: string; backend: string; startedAt: string; dataDir: string } {
    return { name: 'plasticd', version: '0.1.0', backend: 'wasm', startedAt: '2026-01-01T00:00:00.000Z', dataDir: '/tmp/plasticd-test' };
  }
}
