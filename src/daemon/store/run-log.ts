/**
 * One agent's append-only run log: JSONL, one RunEvent per line, seq strictly increasing. Every
 * line is written as `{"seq":N,"kind":"K",…rest of the event}` so opening and seeking read only a
 * line's first bytes (full JSON.parse only for lines that are returned, and the last line on open).
 * Numbers JSON cannot carry (NaN, ±Infinity) are written as null, as JSON.stringify does.
 *
 * Crash rules. `open` drops a torn or garbled tail (a kill during a write, zero-filled blocks after
 * power loss) by truncating the file to its last complete line, and refuses a file with damage or
 * a seq going backwards in the middle. `append` buffers; the buffer is written every
 * `flushIntervalMs` or when it passes `maxBufferedBytes`; `sync()` writes it and fdatasyncs, and
 * must run before a checkpoint is written (AgentDirectory.checkpoint does this). On resume from a
 * checkpoint covering seq E, `truncateAfter(E)` removes the later lines: the resumed run produces
 * those events again with the same seqs, so the log never has a duplicate or a gap.
 *
 * Reads (`read`, for the window-history route): with `since`, the first `limit` matching events
 * after it; without, the last `limit`. Kinds with a full offset index (default window, reset,
 * shift; see run-log-index.ts) are read line by line at known offsets; other kinds scan forward from
 * a sparse seek point, or backwards from the end for a tail.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { PlasticdError } from '../../util/errors.ts';
import { RunLogLineSchema } from '../../config/checkpoint-manifest.ts';
import type { RunEvent, RunEventKind } from '../../run/events.ts';
import { RUN_EVENT_KINDS } from '../../run/events.ts';
import { RunLogIndex } from './run-log-index.ts';
import { forEachLine, forEachLineBackwards, parseLineHeader } from './run-log-lines.ts';
import { silentLogger } from './store-logger.ts';
import type { StoreLogger } from './store-logger.ts';

export interface RunLogOptions {
  /** Longest time an appended event waits in memory before it is written. Default 100 ms. */
  flushIntervalMs?: number;
  /** Buffered bytes that trigger an immediate write. Default 256 KiB. */
  maxBufferedBytes?: number;
  /** Kinds whose every line's offset is kept in memory. Default window, reset, shift. */
  indexedKinds?: readonly RunEventKind[];
  /** Every how many lines the sparse seek index keeps an offset. Default 128. */
  sparseIndexEvery?: number;
  logger?: StoreLogger;
}

export interface RunLogQuery {
  /** Only events with seq > since; then the first `limit`. Without it, the last `limit`. */
  since?: number;
  /** Default: every kind. */
  kinds?: readonly RunEventKind[];
  /** Default 10 000. */
  limit?: number;
}

interface PendingLine {
  seq: number;
  kind: string;
  bytes: Buffer;
}

export class RunLog {
  private pending: PendingLine[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly index: RunLogIndex,
    /** Bytes of complete lines in the file. */
    private size: number,
    /** Highest seq appended, written or not. */
    private appendedSeq: number,
    private readonly flushIntervalMs: number,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Opens or creates the log, dropping a torn tail; the caller must hold the agent's lock. */
  static async open(path: string, options: RunLogOptions = {}): Promise<RunLog> {
    const logger = options.logger ?? silentLogger;
    const index = new RunLogIndex(new Set(options.indexedKinds ?? ['window', 'reset', 'shift']), options.sparseIndexEvery ?? 128);
    const handle = await open(path, 'a+');
    try {
      const fileSize = (await handle.stat()).size;
      const scan = await scanLog(handle, path, fileSize, index);
      if (scan.validEnd < fileSize) {
        logger.warn(
          { file: path, droppedBytes: fileSize - scan.validEnd, atOffset: scan.validEnd, lastSeq: scan.lastSeq },
          'run log ends with a torn or unreadable line (interrupted write); truncating to the last complete line',
        );
        await handle.truncate(scan.validEnd);
        await handle.datasync();
      }
      return new RunLog(path, handle, index, scan.validEnd, scan.lastSeq, options.flushIntervalMs ?? 100, options.maxBufferedBytes ?? 256 * 1024);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Highest seq appended so far (0 for an empty log), including events not yet written. */
  get lastSeq(): number {
    return this.appendedSeq;
  }

  /** Queues one event. Throws if its seq is not above the last one (a duplicate). */
  append(event: RunEvent): void {
    this.assertWritable();
    if (!Number.isSafeInteger(event.seq) || event.seq <= this.appendedSeq) {
      throw new PlasticdError(
        'run-log-sequence',
        `${this.path}: event seq ${event.seq} must be an integer above the last logged seq ${this.appendedSeq}; after resuming from a checkpoint, call truncateAfter(checkpoint eventSeq) before appending`,
      );
    }
    // seq and kind first (Object.assign keeps the order of existing keys) for the fast header parse.
    const bytes = Buffer.from(`${JSON.stringify(Object.assign({ seq: event.seq, kind: event.kind }, event))}\n`, 'utf8');
    this.pending.push({ seq: event.seq, kind: event.kind, bytes });
    this.pendingBytes += bytes.byteLength;
    this.appendedSeq = event.seq;
    if (this.pendingBytes >= this.maxBufferedBytes) void this.flush().catch(() => undefined);
    else if (this.timer === null) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes buffered events to the file (no fsync). */
  flush(): Promise<void> {
    return this.serialised(() => this.flushNow());
  }

  /** Writes buffered events and fdatasyncs: everything appended so far survives a crash. */
  sync(): Promise<void> {
    return this.serialised(async () => {
      await this.flushNow();
      await this.handle.datasync();
    });
  }

  /** Removes every line with seq > `seq` (durably); returns how many were removed. */
  truncateAfter(seq: number): Promise<number> {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      return Promise.reject(new PlasticdError('store-invalid-option', `truncateAfter needs an integer seq ≥ 0, got ${seq}`));
    }
    return this.serialised(async () => {
      await this.flushNow();
      const seek = this.index.seekAfter(seq);
      let cut = this.size;
      let lastKept = 0;
      let keptLines = seek.line;
      let removed = 0;
      await forEachLine(this.handle, seek.offset, this.size, (line, offset) => {
        const header = parseLineHeader(line);
        if (header === null) throw corruptLine(this.path, offset, 'unreadable line');
        if (header.seq <= seq) {
          lastKept = header.seq;
          keptLines += 1;
        } else {
          if (removed === 0) cut = offset;
          removed += 1;
        }
      });
      if (removed === 0) return 0;
      await this.handle.truncate(cut);
      await this.handle.datasync();
      this.size = cut;
      this.index.truncateAfter(seq, keptLines);
      this.appendedSeq = lastKept;
      return removed;
    });
  }

  /** Events matching `query`, ascending by seq (see the module header for `since`/`limit`). */
  read(query: RunLogQuery = {}): Promise<RunEvent[]> {
    const limit = query.limit ?? 10_000;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      return Promise.reject(new PlasticdError('store-invalid-option', `read limit must be an integer ≥ 1, got ${limit}`));
    }
    const kinds = query.kinds ?? RUN_EVENT_KINDS;
    const fromEnd = query.since === undefined;
    const since = query.since ?? 0;
    return this.serialised(async () => {
      await this.flushNow();
      if (this.index.covers(kinds)) {
        const events: RunEvent[] = [];
        for (const location of this.index.locate(kinds, since, limit, fromEnd)) {
          const line = Buffer.allocUnsafe(location.length);
          await this.handle.read(line, 0, location.length, location.offset);
          events.push(this.parseEvent(line, location.offset));
        }
        return events;
      }
      const wanted = new Set<string>(kinds);
      const lines: Array<{ line: Buffer; offset: number }> = [];
      const visit = (line: Buffer, offset: number): boolean => {
        const header = parseLineHeader(line);
        if (header !== null && header.seq > since && wanted.has(header.kind)) lines.push({ line: Buffer.from(line), offset });
        return lines.length < limit;
      };
      if (fromEnd) {
        await forEachLineBackwards(this.handle, this.size, visit);
        lines.reverse();
      } else {
        await forEachLine(this.handle, this.index.seekAfter(since).offset, this.size, visit);
      }
      return lines.map(({ line, offset }) => this.parseEvent(line, offset));
    });
  }

  /** Syncs and closes the file. Appending afterwards throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
    } finally {
      this.closed = true;
      if (this.timer !== null) clearTimeout(this.timer);
      await this.queue.catch(() => undefined);
      await this.handle.close();
    }
  }

  /**
   * Drops the events not yet written and closes the file without writing: the log has passed to
   * another writer (a queue worker whose lease was lost), whose truncation must not be appended to.
   */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
    await this.handle.close();
  }

  private async flushNow(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.failure !== null) throw this.failure;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const bytes = Buffer.concat(lines.map((line) => line.bytes));
    try {
      let written = 0;
      while (written < bytes.byteLength) {
        written += (await this.handle.write(bytes, written, bytes.byteLength - written)).bytesWritten;
      }
    } catch (error) {
      // A partial write would leave a torn line in the middle of later appends: cut it off, and
      // refuse further appends, since the events in `lines` are lost.
      this.failure = new PlasticdError('run-log-write', `${this.path}: writing the run log failed: ${(error as Error).message}`);
      await this.handle.truncate(this.size).catch(() => undefined);
      throw this.failure;
    }
    let offset = this.size;
    for (const line of lines) {
      this.index.add(line.seq, line.kind, offset, line.bytes.byteLength - 1);
      offset += line.bytes.byteLength;
    }
    this.size = offset;
  }

  private parseEvent(line: Buffer, offset: number): RunEvent {
    try {
      return JSON.parse(line.toString('utf8')) as RunEvent;
    } catch {
      throw corruptLine(this.path, offset, 'not valid JSON');
    }
  }

  private assertWritable(): void {
    if (this.closed) throw new PlasticdError('run-log-closed', `${this.path}: the run log is closed`);
    if (this.failure !== null) throw this.failure;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * Reads the whole log once: fills the index, checks seqs increase, and finds where the valid
 * content ends. Damage is tolerated only at the tail (nothing valid after it).
 */
async function scanLog(handle: FileHandle, path: string, fileSize: number, index: RunLogIndex) {
  let lastSeq = 0;
  let previousSeq = 0;
  let validEnd = 0;
  let last: { offset: number; length: number } | null = null;
  let firstBad: number | null = null;
  let lineNumber = 0;
  await forEachLine(handle, 0, fileSize, (line, offset) => {
    lineNumber += 1;
    const header = parseLineHeader(line);
    if (header === null) {
      firstBad ??= offset;
      return;
    }
    if (firstBad !== null) throw corruptLine(path, firstBad, `unreadable line before the valid line ${lineNumber}`);
    if (header.seq <= lastSeq) {
      throw corruptLine(path, offset, `seq ${header.seq} on line ${lineNumber} is not above the previous seq ${lastSeq}`);
    }
    index.add(header.seq, header.kind, offset, line.byteLength);
    previousSeq = lastSeq;
    lastSeq = header.seq;
    validEnd = offset + line.byteLength + 1;
    last = { offset, length: line.byteLength };
  });
  // Only the last line can have a good prefix and a bad body (zero-filled or garbled blocks
  // after a power loss); check it fully.
  const lastLine = last as { offset: number; length: number } | null;
  if (lastLine !== null) {
    const line = Buffer.allocUnsafe(lastLine.length);
    await handle.read(line, 0, lastLine.length, lastLine.offset);
    if (!isValidEventLine(line)) {
      index.truncateAfter(previousSeq, index.lineCount - 1);
      lastSeq = previousSeq;
      validEnd = lastLine.offset;
    }
  }
  return { lastSeq, validEnd };
}

function isValidEventLine(line: Buffer): boolean {
  try {
    return RunLogLineSchema.safeParse(JSON.parse(line.toString('utf8'))).success;
  } catch {
    return false;
  }
}

function corruptLine(path: string, offset: number, why: string): PlasticdError {
  return new PlasticdError('run-log-corrupt', `${path}: damaged run log at byte ${offset}: ${why}; repair or move the file aside`, {
    file: path,
    offset,
  });
}
