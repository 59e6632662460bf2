/**
 * Rotated, crash-safe checkpoints of one agent. The on-disk contract, per agent, under the data
 * directory (`--data-dir`, default `./plasticd-data`):
 *
 *   agents/<agentId>/spec.json                       the agent's spec as given (atomic write)
 *   agents/<agentId>/run-log.jsonl                   one RunEvent per line, seq 1, 2, 3, … (run-log.ts)
 *   agents/<agentId>/lock                            pid/host of the process that has the directory open
 *   agents/<agentId>/checkpoints/manifest.json       {formatVersion: 1, agent, checkpoints: [...], latest}
 *   agents/<agentId>/checkpoints/ckpt-000000001.bin  one file per checkpoint (format: checkpoint-codec.ts)
 *
 * After N checkpoints with `keep` = K (default 3), `checkpoints/` holds exactly manifest.json and
 * the files of checkpoints max(1, N−K+1) … N, listed oldest first in the manifest, `latest` = N.
 * Each entry records {id, file, step, eventSeq, time, bytes, sha256}; `eventSeq` is the last
 * run-event seq the checkpoint covers, so a resumed run truncates its log after it.
 *
 * Write order: checkpoint to a temporary file → fsync → rename → fsync dir; then the manifest the
 * same way; only then older files are deleted. A crash anywhere leaves the manifest pointing at
 * complete files; leftovers (temporary files, a checkpoint file the manifest never got to name,
 * files rotated out but not yet deleted) are removed on the next open. Loading verifies size and
 * SHA-256 and falls back to the previous checkpoint with a warning; unreadable files are renamed
 * to `<file>.corrupt` (kept for inspection, never loaded) and dropped from the manifest.
 */
import { readdir, readFile, rename, rm, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PlasticdError } from '../../util/errors.ts';
import type { CheckpointEntry, CheckpointManifest } from '../../config/checkpoint-manifest.ts';
import { CHECKPOINT_FORMAT_VERSION, CheckpointManifestSchema, parseStoredJson } from '../../config/checkpoint-manifest.ts';
import { fsyncDirectory, isTemporaryName, writeFileAtomic } from './atomic-file.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.ts';
import { silentLogger } from './store-logger.ts';
import type { StoreLogger } from './store-logger.ts';

export const MANIFEST_FILE = 'manifest.json';
const CHECKPOINT_FILE = /^ckpt-(\d{9})\.bin$/;

export interface CheckpointStoreOptions {
  /** The `checkpoints/` directory; created if missing. */
  directory: string;
  /** Agent id, recorded in the manifest and every file. */
  agent: string;
  /** How many checkpoints to keep. Default 3. */
  keep?: number;
  logger?: StoreLogger;
  /** Wall clock in ms since the epoch. Default Date.now. */
  clock?: () => number;
}

export interface CheckpointPosition {
  /** Agent step of the checkpoint. */
  step: number;
  /** Last run-event seq the checkpoint covers (0 = none yet). */
  eventSeq: number;
}

export interface LoadedCheckpoint {
  entry: CheckpointEntry;
  payload: unknown;
  /** Newer checkpoints that could not be read and were skipped, with why. */
  skipped: Array<{ id: string; reason: string }>;
}

export class CheckpointStore {
  private manifest: CheckpointManifest;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly directory: string,
    readonly agent: string,
    private readonly keep: number,
    private readonly logger: StoreLogger,
    private readonly clock: () => number,
    manifest: CheckpointManifest,
  ) {
    this.manifest = manifest;
  }

  /** Opens (or creates) the store; the caller must hold the agent's lock, since leftovers are deleted. */
  static async open(options: CheckpointStoreOptions): Promise<CheckpointStore> {
    const keep = options.keep ?? 3;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new PlasticdError('store-invalid-option', `keep must be an integer ≥ 1, got ${keep}`);
    }
    await mkdir(options.directory, { recursive: true });
    const manifestPath = join(options.directory, MANIFEST_FILE);
    let manifest: CheckpointManifest = { formatVersion: CHECKPOINT_FORMAT_VERSION, agent: options.agent, checkpoints: [], latest: null };
    const text = await readFile(manifestPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text !== null) manifest = parseStoredJson(CheckpointManifestSchema, text, manifestPath, 'checkpoint manifest');
    if (manifest.agent !== options.agent) {
      throw new PlasticdError(
        'store-invalid-file',
        `${manifestPath}: field 'agent' is '${manifest.agent}' but the directory belongs to agent '${options.agent}'`,
      );
    }
    const store = new CheckpointStore(options.directory, options.agent, keep, options.logger ?? silentLogger, options.clock ?? Date.now, manifest);
    await store.removeLeftovers();
    return store;
  }

  /** Checkpoints on disk, oldest first. */
  entries(): readonly CheckpointEntry[] {
    return this.manifest.checkpoints;
  }

  latest(): CheckpointEntry | null {
    return this.manifest.checkpoints.at(-1) ?? null;
  }

  /** Writes a checkpoint durably, then rotates. Writes are serialised; resolves with the new entry. */
  write(payload: unknown, position: CheckpointPosition): Promise<CheckpointEntry> {
    for (const key of ['step', 'eventSeq'] as const) {
      const value = position[key];
      if (!Number.isInteger(value) || value < 0) {
        return Promise.reject(new PlasticdError('store-invalid-option', `checkpoint ${key} must be an integer ≥ 0, got ${value}`));
      }
    }
    return this.serialised(() => this.writeNow(payload, position));
  }

  /** Loads the newest checkpoint that verifies, or null when there is none. */
  loadLatest(): Promise<LoadedCheckpoint | null> {
    return this.serialised(() => this.loadLatestNow());
  }

  private async writeNow(payload: unknown, position: CheckpointPosition): Promise<CheckpointEntry> {
    const number = (await this.highestNumberOnDisk()) + 1;
    const id = `ckpt-${String(number).padStart(9, '0')}`;
    const file = `${id}.bin`;
    const time = this.clock();
    const written = await writeFileAtomic(join(this.directory, file), (sink) =>
      encodeCheckpoint(payload, { agent: this.agent, id, step: position.step, eventSeq: position.eventSeq, time }, sink),
    );
    const entry: CheckpointEntry = { id, file, ...position, time, bytes: written.bytes, sha256: written.sha256 };
    const kept = [...this.manifest.checkpoints, entry].slice(-this.keep);
    const dropped = this.manifest.checkpoints.filter((old) => !kept.includes(old));
    await this.writeManifest(kept);
    for (const old of dropped) await rm(join(this.directory, old.file), { force: true });
    return entry;
  }

  private async loadLatestNow(): Promise<LoadedCheckpoint | null> {
    const skipped: LoadedCheckpoint['skipped'] = [];
    const candidates = [...this.manifest.checkpoints].reverse();
    for (const entry of candidates) {
      const path = join(this.directory, entry.file);
      try {
        const payload = await this.readVerified(entry, path);
        if (skipped.length > 0) await this.dropUnreadable(skipped);
        return { entry, payload, skipped };
      } catch (error) {
        const reason = (error as Error).message;
        this.logger.warn({ agent: this.agent, checkpoint: entry.id, file: path, reason }, 'checkpoint unreadable, falling back to the previous one');
        skipped.push({ id: entry.id, reason });
      }
    }
    if (skipped.length > 0) {
      throw new PlasticdError(
        'checkpoint-corrupt',
        `no readable checkpoint for agent ${this.agent} in ${this.directory}: ${skipped.map((s) => `${s.id}: ${s.reason}`).join('; ')}`,
        { skipped },
      );
    }
    return null;
  }

  private async readVerified(entry: CheckpointEntry, path: string): Promise<unknown> {
    const bytes = await readFile(path);
    if (bytes.byteLength !== entry.bytes) throw new Error(`${path}: expected ${entry.bytes} bytes, found ${bytes.byteLength}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== entry.sha256) throw new Error(`${path}: SHA-256 ${sha256} does not match the manifest's ${entry.sha256}`);
    const { header, payload } = decodeCheckpoint(bytes, path);
    if (header.id !== entry.id || header.eventSeq !== entry.eventSeq || header.agent !== this.agent) {
      throw new Error(`${path}: header (${header.agent}/${header.id}, eventSeq ${header.eventSeq}) does not match the manifest entry`);
    }
    return payload;
  }

  /** Renames unreadable files aside and drops them from the manifest, so new checkpoints follow the one resumed from. */
  private async dropUnreadable(skipped: LoadedCheckpoint['skipped']): Promise<void> {
    const ids = new Set(skipped.map((s) => s.id));
    for (const entry of this.manifest.checkpoints.filter((e) => ids.has(e.id))) {
      await rename(join(this.directory, entry.file), join(this.directory, `${entry.file}.corrupt`)).catch(() => undefined);
    }
    await this.writeManifest(this.manifest.checkpoints.filter((e) => !ids.has(e.id)));
  }

  private async writeManifest(checkpoints: CheckpointEntry[]): Promise<void> {
    const manifest: CheckpointManifest = {
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      agent: this.agent,
      checkpoints,
      latest: checkpoints.at(-1)?.id ?? null,
    };
    await writeFileAtomic(join(this.directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    this.manifest = manifest;
  }

  /** Highest checkpoint number in the manifest or on disk (a crash may leave an unnamed newer file). */
  private async highestNumberOnDisk(): Promise<number> {
    let highest = 0;
    for (const entry of this.manifest.checkpoints) highest = Math.max(highest, Number(entry.id.slice(5)));
    for (const name of await readdir(this.directory)) {
      const match = CHECKPOINT_FILE.exec(name) ?? /^ckpt-(\d{9})\.bin\.corrupt$/.exec(name);
      if (match) highest = Math.max(highest, Number(match[1]));
    }
    return highest;
  }

  private async removeLeftovers(): Promise<void> {
    const named = new Set(this.manifest.checkpoints.map((entry) => entry.file));
    const removed: string[] = [];
    for (const name of await readdir(this.directory)) {
      if (isTemporaryName(name) || (CHECKPOINT_FILE.test(name) && !named.has(name))) {
        await rm(join(this.directory, name), { force: true, recursive: true });
        removed.push(name);
      }
    }
    if (removed.length > 0) {
      await fsyncDirectory(this.directory);
      this.logger.info({ agent: this.agent, removed }, 'removed leftovers of an interrupted checkpoint');
    }
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
