/**
 * An agent's directory under the data dir (layout: checkpoint-store.ts header): opening it takes
 * the agent lock, then exposes its spec, run log and checkpoints, plus the two steps whose order
 * matters for crash safety — `checkpoint` (log synced before the checkpoint is written) and
 * `resume` (log truncated to the checkpoint's eventSeq). `listAgents` and `deleteAgent` serve the
 * supervisor (resume everything on start; DELETE /api/agents/:id).
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PlasticdError } from '../../util/errors.ts';
import { parseStoredJson } from '../../config/checkpoint-manifest.ts';
import { AgentDirectoryLock } from './agent-lock.ts';
import { fsyncDirectory, isTemporaryName, writeFileAtomic } from './atomic-file.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import type { CheckpointPosition, LoadedCheckpoint } from './checkpoint-store.ts';
import type { CheckpointEntry } from '../../config/checkpoint-manifest.ts';
import { RunLog } from './run-log.ts';
import type { RunLogOptions } from './run-log.ts';
import { silentLogger } from './store-logger.ts';
import type { StoreLogger } from './store-logger.ts';

/** Agent ids are single, safe path segments. */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const SPEC_FILE = 'spec.json';
export const RUN_LOG_FILE = 'run-log.jsonl';
export const LOCK_FILE = 'lock';
export const CHECKPOINTS_DIRECTORY = 'checkpoints';
const DELETED_PREFIX = '.deleted-';

export interface AgentDirectoryOptions {
  /** Checkpoints kept. Default 3. */
  keepCheckpoints?: number;
  logger?: StoreLogger;
  /** Wall clock for checkpoint times. Default Date.now. */
  clock?: () => number;
  runLog?: Omit<RunLogOptions, 'logger'>;
  /**
   * Take over a lock held by another live process or host (with a warning). Only for a caller that
   * holds a stronger lease on the directory, e.g. a queue worker that holds the run's job lock: the
   * previous holder lost that lease and stops writing.
   */
  takeOverLock?: boolean;
}

export interface ResumePoint {
  /** The checkpoint to restore, or null to start from scratch. */
  checkpoint: LoadedCheckpoint | null;
  /** Log lines removed because they came after the checkpoint (they will be produced again). */
  droppedEvents: number;
  /** The seq the resumed run's next event must have. */
  nextSeq: number;
}

export function agentDirectoryPath(dataDir: string, agentId: string): string {
  if (!AGENT_ID_PATTERN.test(agentId)) {
    throw new PlasticdError('invalid-agent-id', `agent id '${agentId}' must match ${AGENT_ID_PATTERN} (letters, digits, _ . -)`);
  }
  return join(dataDir, 'agents', agentId);
}

export class AgentDirectory {
  private closed = false;

  private constructor(
    readonly agentId: string,
    readonly path: string,
    readonly runLog: RunLog,
    readonly checkpoints: CheckpointStore,
    private readonly lock: AgentDirectoryLock,
    private readonly logger: StoreLogger,
  ) {}

  /** Creates the directory if needed and takes its lock (refused while another live process holds it). */
  static async open(dataDir: string, agentId: string, options: AgentDirectoryOptions = {}): Promise<AgentDirectory> {
    const path = agentDirectoryPath(dataDir, agentId);
    const logger = options.logger ?? silentLogger;
    await mkdir(path, { recursive: true });
    await fsyncDirectory(join(dataDir, 'agents'));
    const lock = await AgentDirectoryLock.acquire(join(path, LOCK_FILE), logger, { takeOver: options.takeOverLock ?? false });
    try {
      // Ours now: temporary files (an interrupted spec write) are leftovers of a dead writer.
      for (const name of await readdir(path)) {
        if (isTemporaryName(name)) await rm(join(path, name), { force: true });
      }
      const checkpoints = await CheckpointStore.open({
        directory: join(path, CHECKPOINTS_DIRECTORY),
        agent: agentId,
        keep: options.keepCheckpoints,
        logger,
        clock: options.clock,
      });
      const runLog = await RunLog.open(join(path, RUN_LOG_FILE), { ...options.runLog, logger });
      return new AgentDirectory(agentId, path, runLog, checkpoints, lock, logger);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Stores the spec as given (atomically). */
  async writeSpec(spec: unknown): Promise<void> {
    await writeFileAtomic(join(this.path, SPEC_FILE), `${JSON.stringify(spec, null, 2)}\n`);
  }

  /** The stored spec (unvalidated JSON: the caller owns its schema), or null when there is none. */
  async readSpec(): Promise<unknown | null> {
    return readSpecFile(join(this.path, SPEC_FILE));
  }

  /** Makes the run log durable up to now, then writes the checkpoint covering events ≤ eventSeq. */
  async checkpoint(payload: unknown, position: CheckpointPosition): Promise<CheckpointEntry> {
    if (position.eventSeq > this.runLog.lastSeq) {
      this.logger.warn(
        { agent: this.agentId, eventSeq: position.eventSeq, logSeq: this.runLog.lastSeq },
        'checkpoint covers events the run log does not have',
      );
    }
    await this.runLog.sync();
    return this.checkpoints.write(payload, position);
  }

  /**
   * Loads the newest readable checkpoint and cuts the run log back to what it covers, so the
   * resumed run appends from `nextSeq` without duplicates. With no checkpoint the log is emptied.
   */
  async resume(): Promise<ResumePoint> {
    const checkpoint = await this.checkpoints.loadLatest();
    const eventSeq = checkpoint?.entry.eventSeq ?? 0;
    const droppedEvents = await this.runLog.truncateAfter(eventSeq);
    if (droppedEvents > 0) {
      this.logger.info({ agent: this.agentId, eventSeq, droppedEvents }, 'dropped run-log events after the checkpoint; the run produces them again');
    }
    if (this.runLog.lastSeq < eventSeq) {
      this.logger.warn({ agent: this.agentId, eventSeq, logSeq: this.runLog.lastSeq }, 'run log ends before the checkpoint it resumes from');
    }
    return { checkpoint, droppedEvents, nextSeq: eventSeq + 1 };
  }

  /** Syncs and closes the log and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.runLog.close();
    } finally {
      await this.lock.release();
    }
  }

  /**
   * Lets go without writing anything more (events not yet written are dropped, nothing is synced):
   * another process owns the directory now. The lock file is deleted only while it is still ours.
   */
  async abandon(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.runLog.discard();
    } finally {
      await this.lock.release();
    }
  }

  /** Closes and deletes the whole directory. */
  async remove(): Promise<void> {
    await this.runLog.close().catch(() => undefined);
    this.closed = true;
    await removeDirectory(this.path);
    await this.lock.release();
  }
}

export interface AgentListing {
  id: string;
  /** The spec as stored (unvalidated JSON). */
  spec: unknown;
}

/** Agents with a readable spec, sorted by id; directories without one are skipped with a warning. */
export async function listAgents(dataDir: string, options: { logger?: StoreLogger } = {}): Promise<AgentListing[]> {
  const logger = options.logger ?? silentLogger;
  const agentsPath = join(dataDir, 'agents');
  let names: string[];
  try {
    names = await readdir(agentsPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const listings: AgentListing[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(DELETED_PREFIX)) {
      await rm(join(agentsPath, name), { recursive: true, force: true });
      continue;
    }
    if (!AGENT_ID_PATTERN.test(name) || !(await stat(join(agentsPath, name))).isDirectory()) continue;
    try {
      const spec = await readSpecFile(join(agentsPath, name, SPEC_FILE));
      if (spec === null) logger.warn({ agent: name }, `agent directory has no ${SPEC_FILE}; skipped`);
      else listings.push({ id: name, spec });
    } catch (error) {
      logger.warn({ agent: name, reason: (error as Error).message }, `unreadable ${SPEC_FILE}; agent skipped`);
    }
  }
  return listings;
}

/**
 * Deletes an agent's directory; false if there was none. Refused while the directory is open
 * (in this process or a live other one): close it first, or use AgentDirectory.remove().
 */
export async function deleteAgent(dataDir: string, agentId: string, options: { logger?: StoreLogger } = {}): Promise<boolean> {
  const path = agentDirectoryPath(dataDir, agentId);
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const lock = await AgentDirectoryLock.acquire(join(path, LOCK_FILE), options.logger ?? silentLogger);
  await removeDirectory(path);
  await lock.release();
  return true;
}

/** Renames the directory aside first (atomic), so a crash mid-delete never leaves a half agent that resumes. */
async function removeDirectory(path: string): Promise<void> {
  const parent = join(path, '..');
  const aside = join(parent, `${DELETED_PREFIX}${path.split(/[\\/]/).pop()}-${process.pid}-${Date.now()}`);
  await rename(path, aside);
  await fsyncDirectory(parent);
  await rm(aside, { recursive: true, force: true });
}

async function readSpecFile(path: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseStoredJson(z.unknown(), text, path, 'agent spec');
}
