/**
 * Run threads kept between jobs (a thread loads its modules and the tfjs backend once, in seconds):
 * `take` hands out an idle thread or starts one, `give` returns it, `discard` closes one that may be
 * in a bad state.
 */
import { RunThread } from '../experiment/run-executor.ts';

export class RunThreadPool {
  private readonly idle: RunThread[] = [];
  private readonly all = new Set<RunThread>();
  private closed = false;

  /** Starts `count` threads now, so the first jobs do not wait for a thread to load. */
  async warm(count: number): Promise<void> {
    const threads = await Promise.all(Array.from({ length: count }, () => RunThread.start()));
    for (const thread of threads) {
      this.all.add(thread);
      this.idle.push(thread);
    }
  }

  async take(): Promise<RunThread> {
    const thread = this.idle.pop() ?? (await RunThread.start());
    this.all.add(thread);
    return thread;
  }

  give(thread: RunThread): void {
    if (this.closed) void this.discard(thread);
    else this.idle.push(thread);
  }

  async discard(thread: RunThread): Promise<void> {
    this.all.delete(thread);
    await thread.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.all].map((thread) => this.discard(thread)));
  }
}
