/**
 * Worker-thread entry of the experiment runner: runs one AgentRun at a time to a fixed step count,
 * in chunks sized to ~`chunkMs` of work (as the daemon's worker does), posting each chunk's events
 * (units events dropped: the run log does not keep them) and answering checkpoint requests between
 * chunks. A worker serves many runs in turn, so module loading and the tfjs backend start once.
 * Protocol: `RunWorkerRequest` in, `RunWorkerMessage` out (structured clone).
 */
import { parentPort } from 'node:worker_threads';
import type { AgentRun, RunCounters } from '../run/agent-run.ts';
import type { RunEvent } from '../run/events.ts';

export type RunWorkerRequest =
  | { type: 'start'; runId: string; spec: unknown; restore: unknown | null; steps: number; chunkMs?: number }
  /** With `halt`, the run stops after the snapshot (interrupt: nothing is trained that the checkpoint misses). */
  | { type: 'checkpoint'; requestId: number; halt: boolean }
  | { type: 'exit' };

export type RunWorkerMessage =
  | { type: 'ready' }
  | { type: 'events'; runId: string; events: RunEvent[]; counters: RunCounters }
  | { type: 'checkpoint'; runId: string; requestId: number; state: unknown; counters: RunCounters }
  | { type: 'finished'; runId: string; state: unknown; counters: RunCounters }
  | { type: 'failed'; runId: string | null; code: string; message: string };

if (parentPort === null) throw new Error('src/experiment/run-worker.ts must run in a worker thread');
const port = parentPort;

function post(message: RunWorkerMessage): void {
  port.postMessage(message);
}

function describe(error: unknown): { code: string; message: string } {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'worker_error';
  return { code, message: error instanceof Error ? error.message : String(error) };
}

interface Current {
  runId: string;
  run: AgentRun;
  steps: number;
  chunk: number;
  chunkMs: number;
  halted: boolean;
  /** Events since the last flush (the AgentRun's onEvent pushes here). */
  sink: { events: RunEvent[] };
}

async function main(): Promise<void> {
  const { initBackend } = await import('../nn/backend.ts');
  const { AgentRun } = await import('../run/agent-run.ts');
  const { prepareRun } = await import('../run/build-run.ts');
  await initBackend({ backend: 'auto' });
  let current: Current | null = null;
  let scheduled = false;

  const flush = (job: Current): void => {
    if (job.sink.events.length === 0) return;
    const events = job.sink.events;
    job.sink.events = [];
    post({ type: 'events', runId: job.runId, events, counters: job.run.counters() });
  };
  const finish = (job: Current, failure: unknown | null): void => {
    current = null;
    if (failure !== null) {
      job.sink.events = []; // events of a half-done step are not trustworthy
      const { code, message } = describe(failure);
      post({ type: 'failed', runId: job.runId, code, message });
    } else {
      job.run.emitState('stopped', 'finished');
      flush(job);
      post({ type: 'finished', runId: job.runId, state: job.run.state(), counters: job.run.counters() });
    }
    try {
      job.run.dispose();
    } catch {
      // a failed run may not dispose cleanly; the next run is built fresh
    }
  };
  const schedule = (): void => {
    if (scheduled || current === null || current.halted) return;
    scheduled = true;
    setImmediate(loop);
  };
  function loop(): void {
    scheduled = false;
    const job = current;
    if (job === null || job.halted) return;
    const remaining = job.steps - job.run.counters().steps;
    if (remaining <= 0) {
      finish(job, null);
      return;
    }
    const started = performance.now();
    try {
      job.run.runFor(Math.min(job.chunk, remaining));
    } catch (error) {
      finish(job, error);
      return;
    }
    const elapsed = performance.now() - started;
    const scale = elapsed > 0 ? job.chunkMs / elapsed : 4;
    job.chunk = Math.max(1, Math.min(100_000, Math.round(job.chunk * Math.min(4, Math.max(0.25, scale)))));
    flush(job);
    schedule();
  }

  // Requests are handled one after another: a 'start' may first load an engine (MuJoCo) and a
  // 'checkpoint' sent meanwhile must wait for the run it is about.
  let handling: Promise<void> = Promise.resolve();
  port.on('message', (request: RunWorkerRequest) => {
    handling = handling.then(() => handle(request));
  });

  const handle = async (request: RunWorkerRequest): Promise<void> => {
    switch (request.type) {
      case 'start': {
        try {
          await prepareRun(request.spec);
          const sink: { events: RunEvent[] } = { events: [] };
          const run = new AgentRun({ spec: request.spec, onEvent: (event) => void (event.kind !== 'units' && sink.events.push(event)) });
          if (request.restore !== null) run.restore(request.restore);
          const job: Current = { runId: request.runId, run, steps: request.steps, chunk: 8, chunkMs: request.chunkMs ?? 50, halted: false, sink };
          current = job;
          run.emitState('running');
          flush(job);
          schedule();
        } catch (error) {
          const { code, message } = describe(error);
          post({ type: 'failed', runId: request.runId, code, message });
        }
        break;
      }
      case 'checkpoint': {
        const job = current;
        if (job === null) {
          // Finished (or failed) before the request arrived; the main thread has that message first.
          break;
        }
        flush(job);
        if (request.halt) job.halted = true;
        post({ type: 'checkpoint', runId: job.runId, requestId: request.requestId, state: job.run.state(), counters: job.run.counters() });
        if (request.halt) {
          current = null;
          job.run.dispose();
        }
        break;
      }
      case 'exit':
        port.close();
        break;
    }
  };
  post({ type: 'ready' });
}

main().catch((error: unknown) => {
  const { code, message } = describe(error);
  post({ type: 'failed', runId: null, code, message });
});
