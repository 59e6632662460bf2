/**
 * Worker-thread entry: one agent run per worker (DESIGN.md: the main thread never trains). Builds
 * the AgentRun from the spec (restoring the checkpoint payload the supervisor passes, if any), then
 * trains in chunks sized to ~`chunkMs` of work, posting the chunk's events as one batch and
 * yielding (setImmediate) between chunks so control messages are handled promptly. A thrown
 * error (e.g. `non_finite_loss`) stops training: the worker posts `error` and waits for `stop`.
 * The message protocol is `WorkerRequest` / `WorkerMessage` below (structured clone; no transfer,
 * since run state may hold views of live buffers). On Linux the worker lowers its own thread's
 * scheduling priority (nice +10 by default), so on a box with fewer cores than agents the main
 * thread — HTTP, /metrics, the feed — still gets the CPU when it needs it (bench/daemon.bench.ts).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { RunCounters, ResetNowRequest } from '../run/agent-run.ts';
import type { RunEvent } from '../run/events.ts';

export interface WorkerInit {
  spec: unknown;
  /** `AgentRun.state()` payload to restore, or null for a fresh run. */
  restore: unknown | null;
  /** Learning rate to apply after build/restore (a PATCH that outlived a restart), or null. */
  learningRate: number | null;
  /** tfjs backend choice ('auto', 'wasm', 'cpu', …). */
  backend: string;
  /** Start paused (the agent was paused when its checkpoint was written). */
  paused: boolean;
  /** Target wall time of one training chunk. Default 30 ms. */
  chunkMs?: number;
  /** How often tf.memory() is reported. Default 5000 ms. */
  memoryEveryMs?: number;
  /** Added to this thread's nice value (Linux; 0 leaves it). Default 10. */
  niceIncrement?: number;
}

export type WorkerRequest =
  | { type: 'pause' }
  | { type: 'resume' }
  /** With `halt`, training stops after the snapshot (shutdown: nothing is trained that the checkpoint misses). */
  | { type: 'checkpoint'; requestId: number; halt?: boolean }
  | { type: 'reset-now'; requestId: number; request: ResetNowRequest }
  | { type: 'set-learning-rate'; requestId: number; learningRate: number }
  | { type: 'stop' };

export type WorkerMessage =
  | { type: 'ready'; counters: RunCounters; backend: string }
  | { type: 'events'; events: RunEvent[]; counters: RunCounters }
  | { type: 'reply'; requestId: number; ok: true; value: unknown }
  | { type: 'reply'; requestId: number; ok: false; code: string; message: string }
  | { type: 'memory'; numTensors: number; numBytes: number }
  | { type: 'error'; code: string; reason: string; counters: RunCounters | null }
  | { type: 'stopped' };

if (parentPort === null) throw new Error('src/daemon/worker.ts must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
lowerThreadPriority(init.niceIncrement ?? 10);

/** Renices this thread only: on Linux, setpriority() on a thread id applies to that thread. */
function lowerThreadPriority(increment: number): void {
  if (increment <= 0 || process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId === process.pid) return; // never renice the whole process
    setPriority(threadId, Math.min(19, getPriority(threadId) + increment));
  } catch {
    // Not permitted or no /proc: run at the normal priority.
  }
}

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

function describe(error: unknown): { code: string; message: string } {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'worker_error';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}

async function main(): Promise<void> {
  const { initBackend } = await import('../nn/backend.ts');
  const tf = await import('@tensorflow/tfjs-core');
  const { AgentRun } = await import('../run/agent-run.ts');
  const { prepareRun } = await import('../run/build-run.ts');
  const backend = await initBackend({ backend: init.backend as never });
  await prepareRun(init.spec);

  let pending: RunEvent[] = [];
  const run = new AgentRun({ spec: init.spec, onEvent: (event) => pending.push(event) });
  if (init.restore !== null) run.restore(init.restore);
  const applyLearningRate = (rate: number): void => {
    for (const network of Object.values(run.agent.networks())) network.setLearningRate(rate);
  };
  if (init.learningRate !== null) applyLearningRate(init.learningRate);

  let paused = init.paused;
  let failed = false;
  let stopping = false;
  let chunk = 8;
  const chunkMs = init.chunkMs ?? 30;
  const memoryEveryMs = init.memoryEveryMs ?? 5000;
  let lastMemory = 0;

  const flush = (): void => {
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    post({ type: 'events', events, counters: run.counters() });
  };
  const fail = (error: unknown): void => {
    failed = true;
    const { code, message } = describe(error);
    pending = []; // events of a half-done step are not trustworthy
    let counters: RunCounters | null = null;
    try {
      counters = run.counters();
    } catch {
      counters = null;
    }
    post({ type: 'error', code, reason: `${code}: ${message}`, counters });
  };

  post({ type: 'ready', counters: run.counters(), backend: backend.name });
  run.emitState(paused ? 'paused' : 'running');
  flush();

  port.on('message', (request: WorkerRequest) => {
    const reply = (requestId: number, compute: () => unknown): void => {
      try {
        const value = compute();
        flush(); // events (e.g. resets) produced by the request come before its reply
        post({ type: 'reply', requestId, ok: true, value });
      } catch (error) {
        flush();
        const { code, message } = describe(error);
        post({ type: 'reply', requestId, ok: false, code, message });
      }
    };
    switch (request.type) {
      case 'pause':
        if (!paused && !failed) {
          paused = true;
          run.emitState('paused');
          flush();
        }
        break;
      case 'resume':
        if (paused && !failed) {
          paused = false;
          run.emitState('running');
          flush();
          schedule();
        }
        break;
      case 'checkpoint':
        if (request.halt === true) stopping = true;
        flush();
        reply(request.requestId, () => {
          if (failed) throw Object.assign(new Error('the run failed; its state is not checkpointed'), { code: 'invalid_state' });
          return { state: run.state(), counters: run.counters() };
        });
        break;
      case 'reset-now':
        reply(request.requestId, () => {
          if (failed) throw Object.assign(new Error('the run failed'), { code: 'invalid_state' });
          return run.resetNow(request.request);
        });
        break;
      case 'set-learning-rate':
        reply(request.requestId, () => {
          applyLearningRate(request.learningRate);
          return { learningRate: request.learningRate };
        });
        break;
      case 'stop':
        stopping = true;
        flush();
        try {
          run.dispose();
        } catch {
          // disposing a failed run may throw; the thread ends anyway
        }
        post({ type: 'stopped' });
        port.close();
        break;
    }
  });

  let scheduled = false;
  function schedule(): void {
    if (scheduled || paused || failed || stopping) return;
    scheduled = true;
    setImmediate(loop);
  }

  function loop(): void {
    scheduled = false;
    if (paused || failed || stopping) return;
    const started = performance.now();
    try {
      run.runFor(chunk);
    } catch (error) {
      fail(error);
      return;
    }
    const elapsed = performance.now() - started;
    // Size the next chunk toward chunkMs of work (bounded growth so a slow window end never explodes it).
    const scale = elapsed > 0 ? chunkMs / elapsed : 4;
    chunk = Math.max(1, Math.min(100_000, Math.round(chunk * Math.min(4, Math.max(0.25, scale)))));
    flush();
    const now = Date.now();
    if (now - lastMemory >= memoryEveryMs) {
      lastMemory = now;
      const memory = tf.memory();
      post({ type: 'memory', numTensors: memory.numTensors, numBytes: memory.numBytes });
    }
    schedule();
  }

  schedule();
}

main().catch((error: unknown) => {
  const { code, message } = describe(error);
  post({ type: 'error', code, reason: `${code}: ${message}`, counters: null });
});
