/**
 * One agent's worker thread (worker.ts) as the supervisor talks to it: start it, route its messages,
 * send requests that expect a reply (each with a timeout), and stop it (ask, then terminate after a
 * grace period). A restarted worker is a new generation: messages and exits of an older one are
 * ignored, so a late event of a stopped run can never land in the new one.
 */
import { Worker } from 'node:worker_threads';
import { PlasticdError } from '../util/errors.ts';
import { tsxWorkerSource } from '../util/tsx-worker.ts';
import type { AgentChannel, WorkerHandlers } from './agent-channel.ts';
import { PendingRequests } from './pending-requests.ts';
import type { WorkerInit, WorkerMessage, WorkerRequest } from './worker.ts';

export type { WorkerHandlers };

/** The source of an agent's worker thread (worker.ts), also what a queue worker runs a hosted agent in. */
export const WORKER_BOOTSTRAP = tsxWorkerSource(new URL('./worker.ts', import.meta.url).href);

export class WorkerChannel implements AgentChannel {
  readonly placement = 'thread';
  readonly host = 'local';
  private worker: Worker | null = null;
  private generation = 0;
  private readonly pending: PendingRequests;

  constructor(
    private readonly agent: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.pending = new PendingRequests(requestTimeoutMs);
  }

  /** Whether a worker is started and not yet stopped or exited. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Starts a worker with `init` (call `stop` first to replace one). */
  start(init: WorkerInit, handlers: WorkerHandlers): void {
    const generation = ++this.generation;
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: init });
    this.worker = worker;
    const current = () => this.generation === generation && this.worker === worker;
    worker.on('message', (message: WorkerMessage) => {
      if (!current()) return;
      if (message.type === 'reply') this.pending.settle(message);
      else handlers.message(message);
    });
    worker.on('error', (error) => {
      if (current()) handlers.crash(error);
    });
    worker.on('exit', (code) => {
      if (!current()) return;
      this.worker = null;
      handlers.exit(code);
      this.rejectAll(new PlasticdError('invalid_state', `the worker of agent '${this.agent}' exited`));
    });
  }

  /** Fire and forget (pause, resume). */
  post(request: WorkerRequest): void {
    this.worker?.postMessage(request);
  }

  /** Sends `request` and resolves with the worker's reply value (rejects with its error, or after the timeout). */
  request(request: WorkerRequest & { requestId: number }, state: string): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new PlasticdError('invalid_state', `agent '${this.agent}' has no running worker (state ${state})`));
    return this.pending.open(
      (requestId) => worker.postMessage({ ...request, requestId }),
      () => `agent '${this.agent}' did not answer '${request.type}' within ${this.requestTimeoutMs} ms`,
    );
  }

  /** Rejects every request still waiting for a reply. */
  rejectAll(error: Error): void {
    this.pending.rejectAll(error);
  }

  /** Asks the worker to stop, then terminates it after `graceMs`; its later messages are ignored. */
  async stop(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    this.generation++;
    this.rejectAll(new PlasticdError('invalid_state', `agent '${this.agent}' is stopping`));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    if ((await Promise.race([exited.then(() => 'exited' as const), late])) === 'late') await worker.terminate();
    clearTimeout(timer);
  }

  /** Terminates the worker at once (shutdown after the grace period). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }
}
