/**
 * Requests to an agent's run that wait for its reply, each with a timeout: the bookkeeping both agent
 * channels (a local worker thread, a queue worker) share. Request ids are the channel's own.
 */
import { PlasticdError } from '../util/errors.ts';
import type { WorkerMessage } from './worker.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly timeoutMs: number) {}

  /** Registers a request, hands its id to `send`, and resolves with the reply's value (rejects on error or timeout). */
  open(send: (requestId: number) => void, timeoutMessage: () => string): Promise<unknown> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new PlasticdError('worker_timeout', timeoutMessage()));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      send(requestId);
    });
  }

  /** Settles the request a reply answers (a reply to nothing pending is ignored). */
  settle(reply: Extract<WorkerMessage, { type: 'reply' }>): void {
    const pending = this.pending.get(reply.requestId);
    if (!pending) return;
    this.pending.delete(reply.requestId);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new PlasticdError(reply.code, reply.message));
  }

  /** Rejects every request still waiting for a reply. */
  rejectAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}
