/**
 * Atomic file replacement: write to a temporary name in the same directory, fsync the file,
 * rename it over the target, fsync the directory. After a crash at any point the target is
 * either the old complete file or the new complete file, never a mix; what can be left behind
 * is a stray temporary file (`.<name>.tmp-<pid>-<n>`, see `isTemporaryName`), which the owner of
 * the directory deletes on open.
 */
import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Chunks below this size are coalesced before hitting the file (many small typed arrays). */
const STAGING_BYTES = 1 << 20;

let temporaryCounter = 0;

/** Temporary files are dot-files so directory listings of agents and checkpoints skip them. */
export function temporaryPathFor(path: string): string {
  temporaryCounter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${temporaryCounter}`);
}

export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && /\.tmp-\d+-\d+$/.test(name);
}

/** What a sink passed to `writeFileAtomic`'s producer accepts. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

export interface WrittenFile {
  bytes: number;
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
}

/**
 * Writes what `produce` pushes into the sink to `path`, atomically and durably, hashing on the
 * way. The sink coalesces small chunks so a payload of many small arrays costs few syscalls.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | ((sink: ByteSink) => Promise<void>),
): Promise<WrittenFile> {
  const temporary = temporaryPathFor(path);
  const handle = await open(temporary, 'wx', 0o644);
  let closed = false;
  try {
    const hash = createHash('sha256');
    const sink = new StagingSink(handle, hash);
    if (typeof data === 'function') await data(sink);
    else await sink.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await sink.drain();
    await handle.sync();
    await handle.close();
    closed = true;
    await rename(temporary, path);
    await fsyncDirectory(dirname(path));
    return { bytes: sink.bytes, sha256: hash.digest('hex') };
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Makes a rename/creation/deletion in `directory` durable. A no-op where directories cannot be fsynced. */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Windows and some network filesystems refuse to open or fsync a directory.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

class StagingSink implements ByteSink {
  bytes = 0;
  private readonly staging = Buffer.allocUnsafe(STAGING_BYTES);
  private staged = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly hash: ReturnType<typeof createHash>,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0) return;
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    if (chunk.byteLength >= STAGING_BYTES / 4) {
      await this.drain();
      await writeAll(this.handle, chunk);
      return;
    }
    if (this.staged + chunk.byteLength > STAGING_BYTES) await this.drain();
    this.staging.set(chunk, this.staged);
    this.staged += chunk.byteLength;
  }

  async drain(): Promise<void> {
    if (this.staged === 0) return;
    await writeAll(this.handle, this.staging.subarray(0, this.staged));
    this.staged = 0;
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
    done += bytesWritten;
  }
}
