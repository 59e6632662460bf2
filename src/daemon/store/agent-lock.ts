/**
 * One writer per agent directory: a `lock` file holding {pid, hostname, processStart, token}.
 * It is created complete and atomically (written to a temporary file, then hard-linked to the
 * lock name, which fails if a lock exists). An existing lock is stale, and taken over with a
 * warning, when it is ours from an earlier life (same pid — e.g. pid 1 in a restarted container —
 * but not held by this process), or its pid is dead, or the pid now belongs to a process started
 * at another time (pid reuse, checked through /proc on Linux). A lock from another host is never
 * judged stale: the message says which file to delete. Known gap: two processes taking over the
 * same stale lock at the same instant can both succeed; the supervisor starts agents one at a time.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { PlasticdError } from '../../util/errors.ts';
import type { AgentLock } from '../../config/checkpoint-manifest.ts';
import { AgentLockSchema } from '../../config/checkpoint-manifest.ts';
import { temporaryPathFor } from './atomic-file.ts';
import type { StoreLogger } from './store-logger.ts';

/** Lock paths held by this process, so a second open from the same process is refused too. */
const heldHere = new Set<string>();

export class AgentDirectoryLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly lock: AgentLock,
  ) {}

  /** With `takeOver`, a lock held by another live process or host is taken over too (the caller holds a stronger lease). */
  static async acquire(path: string, logger: StoreLogger, options: { takeOver?: boolean } = {}): Promise<AgentDirectoryLock> {
    if (heldHere.has(path)) {
      throw new PlasticdError('agent-locked', `${path} is already held by this process; close the agent's directory before opening it again`);
    }
    const lock: AgentLock = {
      pid: process.pid,
      hostname: hostname(),
      processStart: processStartTime(process.pid),
      token: randomBytes(12).toString('hex'),
      acquiredAt: Date.now(),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(path, `${JSON.stringify(lock)}\n`)) {
        heldHere.add(path);
        return new AgentDirectoryLock(path, lock);
      }
      const existing = await readLock(path);
      if (existing === 'missing') continue;
      const verdict = judge(existing);
      if (verdict.held && options.takeOver) {
        logger.warn({ lock: path, previous: existing, holder: verdict.holder }, 'taking over an agent lock held elsewhere: this process holds the run\'s queue lease');
      } else if (verdict.held) {
        throw new PlasticdError(
          'agent-locked',
          `${path}: the agent directory is in use by ${verdict.holder}; stop that process, or delete the lock file if it is certainly gone`,
          { holder: existing === 'unreadable' ? null : existing },
        );
      }
      if (!verdict.held) logger.warn({ lock: path, previous: existing, why: verdict.why }, 'taking over a stale agent lock');
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    throw new PlasticdError('agent-locked', `${path}: could not take the agent lock after 3 attempts (another process is racing for it)`);
  }

  /** Deletes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    const existing = await readLock(this.path);
    if (typeof existing === 'object' && existing.token === this.lock.token) await unlink(this.path).catch(() => undefined);
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = temporaryPathFor(path);
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readLock(path: string): Promise<AgentLock | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const parsed = AgentLockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function judge(existing: AgentLock | 'unreadable'): { held: true; holder: string } | { held: false; why: string } {
  // Locks are written complete before they appear, so an unreadable one was damaged, not half-written.
  if (existing === 'unreadable') return { held: false, why: 'the lock file is unreadable' };
  const holder = `process ${existing.pid} on ${existing.hostname} (since ${new Date(existing.acquiredAt).toISOString()})`;
  if (existing.hostname !== hostname()) return { held: true, holder };
  if (existing.pid === process.pid) return { held: false, why: 'left by an earlier process with this pid' };
  if (!isAlive(existing.pid) || processStat(existing.pid)?.state === 'Z') return { held: false, why: `process ${existing.pid} is not running` };
  const start = processStat(existing.pid)?.start ?? null;
  if (existing.processStart !== null && start !== null && start !== existing.processStart) {
    return { held: false, why: `pid ${existing.pid} now belongs to another process` };
  }
  return { held: true, holder };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a process in clock ticks since boot (Linux /proc), or null elsewhere. */
export function processStartTime(pid: number): number | null {
  return processStat(pid)?.start ?? null;
}

/** State letter (Z = zombie: killed, not yet reaped) and start time from /proc/<pid>/stat. */
function processStat(pid: number): { state: string; start: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? { state: fields[0], start } : null;
  } catch {
    return null;
  }
}
