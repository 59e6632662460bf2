/**
 * How the supervisor talks to the place an agent trains: a worker thread of this process
 * (WorkerChannel, the default) or a `plasticd worker` process reached through the Redis queue
 * (src/queue/remote-agent-channel.ts). Both carry the same WorkerInit, requests and messages.
 */
import type { WorkerInit, WorkerMessage, WorkerRequest } from './worker.ts';

/** What the current run reports; none is called for an older generation. */
export interface WorkerHandlers {
  /** Every message but replies (which settle their request). */
  message(message: Exclude<WorkerMessage, { type: 'reply' }>): void;
  crash(error: Error): void;
  /** The worker exited without being asked to stop; requests still pending are rejected right after. */
  exit(code: number): void;
  /**
   * The place the run trained is gone (a queue worker died or is shutting down), not the run: the
   * supervisor resumes the agent from its last checkpoint elsewhere. With `checkpointFirst`, the run
   * still answers and is checkpointed before it stops.
   */
  lost?(reason: string, options: { checkpointFirst: boolean }): void;
}

export interface AgentChannel {
  /** Whether a run is started and not yet stopped or exited. */
  readonly running: boolean;
  /** 'thread': in this process; 'queue': on a queue worker, maybe not yet taken by one. */
  readonly placement: 'thread' | 'queue';
  /** Where the run trains now: 'local', a queue worker's name, or 'queued' while no worker has taken it. */
  readonly host: string;
  /** Starts a run with `init` (call `stop` first to replace one). */
  start(init: WorkerInit, handlers: WorkerHandlers): void;
  /** Fire and forget (pause, resume). */
  post(request: WorkerRequest): void;
  /** Sends `request` and resolves with the run's reply value (rejects with its error, or after the timeout). */
  request(request: WorkerRequest & { requestId: number }, state: string): Promise<unknown>;
  /** Rejects every request still waiting for a reply. */
  rejectAll(error: Error): void;
  /** Asks the run to stop, then ends it after `graceMs`; its later messages are ignored. */
  stop(graceMs: number): Promise<void>;
  /** Ends the run at once. */
  terminate(): Promise<void>;
}

export type AgentChannelFactory = (agent: string, requestTimeoutMs: number) => AgentChannel;
