/**
 * Line-level reading of a run-log file: the cheap seq/kind header parse, and forward and backward
 * line iteration over a byte range in 1 MiB chunks (lines longer than a chunk grow the buffer).
 */
import type { FileHandle } from 'node:fs/promises';
import { RunLogLineSchema } from '../../config/checkpoint-manifest.ts';

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const SEQ_PREFIX = Buffer.from('{"seq":');
const KIND_PREFIX = Buffer.from(',"kind":"');

/**
 * Seq and kind of a line: fast path for the prefix this log writes, full parse otherwise (a
 * hand-edited line). Null when the line is not a run event.
 */
export function parseLineHeader(line: Buffer): { seq: number; kind: string } | null {
  if (line.byteLength > SEQ_PREFIX.byteLength && line.compare(SEQ_PREFIX, 0, SEQ_PREFIX.byteLength, 0, SEQ_PREFIX.byteLength) === 0) {
    let position = SEQ_PREFIX.byteLength;
    let seq = 0;
    const digitsStart = position;
    while (position < line.byteLength && line[position] >= 0x30 && line[position] <= 0x39) {
      seq = seq * 10 + (line[position] - 0x30);
      position += 1;
    }
    const kindStart = position + KIND_PREFIX.byteLength;
    if (position > digitsStart && seq > 0 && line.compare(KIND_PREFIX, 0, KIND_PREFIX.byteLength, position, kindStart) === 0) {
      const kindEnd = line.indexOf(0x22, kindStart);
      if (kindEnd > kindStart && line[line.byteLength - 1] === 0x7d) return { seq, kind: line.toString('latin1', kindStart, kindEnd) };
    }
  }
  try {
    const parsed = RunLogLineSchema.safeParse(JSON.parse(line.toString('utf8')));
    return parsed.success ? { seq: parsed.data.seq, kind: parsed.data.kind } : null;
  } catch {
    return null;
  }
}

/**
 * Calls `visit` for every complete line (without its newline) in [start, end); stops when it
 * returns false. A last line without a newline is not visited. The line buffer is reused.
 */
export async function forEachLine(
  handle: FileHandle,
  start: number,
  end: number,
  visit: (line: Buffer, offset: number) => boolean | void,
): Promise<void> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried = 0;
  let chunkOffset = start;
  while (chunkOffset + carried < end) {
    if (carried === chunk.byteLength) {
      const bigger = Buffer.allocUnsafe(chunk.byteLength * 2);
      chunk.copy(bigger, 0, 0, carried);
      chunk = bigger;
    }
    const want = Math.min(chunk.byteLength - carried, end - chunkOffset - carried);
    const { bytesRead } = await handle.read(chunk, carried, want, chunkOffset + carried);
    if (bytesRead === 0) return;
    const filled = carried + bytesRead;
    let lineStart = 0;
    for (let newline = chunk.indexOf(NEWLINE, 0); newline !== -1 && newline < filled; newline = chunk.indexOf(NEWLINE, lineStart)) {
      if (visit(chunk.subarray(lineStart, newline), chunkOffset + lineStart) === false) return;
      lineStart = newline + 1;
    }
    chunk.copy(chunk, 0, lineStart, filled);
    carried = filled - lineStart;
    chunkOffset += lineStart;
  }
}

/** Like forEachLine, from the last line to the first, over a file of complete lines ending at `end`. */
export async function forEachLineBackwards(
  handle: FileHandle,
  end: number,
  visit: (line: Buffer, offset: number) => boolean,
): Promise<void> {
  let carry = Buffer.alloc(0);
  let position = end;
  while (position > 0) {
    const readStart = Math.max(0, position - CHUNK_BYTES);
    const chunk = Buffer.allocUnsafe(position - readStart);
    await handle.read(chunk, 0, chunk.byteLength, readStart);
    const buffer = carry.byteLength > 0 ? Buffer.concat([chunk, carry]) : chunk;
    let lineEnd = buffer.byteLength - 1; // index of the newline ending the current line
    for (;;) {
      const previousNewline = lineEnd > 0 ? buffer.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
      if (previousNewline === -1 && readStart > 0) break;
      if (visit(buffer.subarray(previousNewline + 1, lineEnd), readStart + previousNewline + 1) === false) return;
      if (previousNewline === -1) return;
      lineEnd = previousNewline;
    }
    carry = Buffer.from(buffer.subarray(0, lineEnd + 1));
    position = readStart;
  }
}
