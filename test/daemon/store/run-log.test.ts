import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLog } from '../../../src/daemon/store/run-log.ts';
import type { RunEvent } from '../../../src/run/events.ts';
import { PlasticdError } from '../../../src/util/errors.ts';
import { eventFor } from './fixtures/crash-model.ts';

const seqsOf = (events: RunEvent[]) => events.map((event) => event.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('RunLog', () => {
  let directory: string;
  let path: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'plasticd-log-'));
    path = join(directory, 'run-log.jsonl');
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes one JSON line per event, seq and kind first, and reads them back after reopening', async () => {
    const log = await RunLog.open(path);
    for (let seq = 1; seq <= 5; seq++) log.append(eventFor('a', seq));
    assert.equal(log.lastSeq, 5);
    await log.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines[5], '');
    assert.ok(lines[0].startsWith('{"seq":1,"kind":"episode","agent":"a"'), lines[0]);
    const reopened = await RunLog.open(path);
    assert.equal(reopened.lastSeq, 5);
    assert.deepEqual(await reopened.read(), range(1, 5).map((seq) => eventFor('a', seq)));
    await reopened.close();
  });

  it('writes buffered events within the flush interval and reads unflushed ones too', async () => {
    // An interval long enough that a loaded machine still reads the file before the flush.
    const log = await RunLog.open(path, { flushIntervalMs: 400 });
    log.append(eventFor('a', 1));
    assert.equal((await readFile(path)).byteLength, 0, 'buffered, not yet written');
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.ok((await readFile(path, 'utf8')).startsWith('{"seq":1,'));
    log.append(eventFor('a', 2));
    assert.deepEqual(seqsOf(await log.read()), [1, 2]);
    await log.close();
  });

  it('refuses an event whose seq is not above the last one', async () => {
    const log = await RunLog.open(path);
    log.append(eventFor('a', 1));
    log.append(eventFor('a', 3));
    for (const seq of [3, 2, 0]) {
      assert.throws(() => log.append(eventFor('a', seq)), (error: unknown) => error instanceof PlasticdError && error.code === 'run-log-sequence');
    }
    await log.close();
    assert.throws(() => log.append(eventFor('a', 4)), /closed/);
  });

  it('drops a torn last line on open and continues after the last complete event', async () => {
    const log = await RunLog.open(path);
    for (let seq = 1; seq <= 4; seq++) log.append(eventFor('a', seq));
    await log.close();
    const complete = (await readFile(path)).byteLength;
    await appendFile(path, '{"seq":5,"kind":"episode","agent":"a","st');
    const warnings: string[] = [];
    const reopened = await RunLog.open(path, { logger: { info: () => undefined, warn: (_details, message) => void warnings.push(message) } });
    assert.equal(reopened.lastSeq, 4);
    assert.equal((await readFile(path)).byteLength, complete);
    assert.match(warnings[0], /torn or unreadable line/);
    reopened.append(eventFor('a', 5));
    await reopened.close();
    const third = await RunLog.open(path);
    assert.deepEqual(seqsOf(await third.read()), range(1, 5));
    await third.close();
  });

  it('drops a complete-looking last line whose body is garbage, and zero-filled tail blocks', async () => {
    const log = await RunLog.open(path);
    for (let seq = 1; seq <= 3; seq++) log.append(eventFor('a', seq));
    await log.close();
    const good = await readFile(path);
    await writeFile(path, Buffer.concat([good, Buffer.from('{"seq":4,"kind":"window","agent":"a"}\n')])); // good prefix, not a RunEvent
    const first = await RunLog.open(path);
    assert.equal(first.lastSeq, 3);
    await first.close();
    await writeFile(path, Buffer.concat([good, Buffer.alloc(4096), Buffer.from('\n\0\0')]));
    const reopened = await RunLog.open(path);
    assert.equal(reopened.lastSeq, 3);
    assert.ok((await readFile(path)).equals(good));
    await reopened.close();
  });

  it('refuses to open a log damaged in the middle or with a seq going backwards, naming the byte offset', async () => {
    const lines = [1, 2, 3].map((seq) => JSON.stringify(eventFor('a', seq)));
    await writeFile(path, `${lines[0]}\nnot json\n${lines[1]}\n`);
    await assert.rejects(RunLog.open(path), (error: unknown) => error instanceof PlasticdError && error.code === 'run-log-corrupt' && /at byte \d+/.test(error.message));
    await writeFile(path, `${lines[1]}\n${lines[0]}\n`);
    await assert.rejects(RunLog.open(path), /seq 1 on line 2 is not above the previous seq 2/);
  });

  it('accepts hand-written lines whose keys are in another order', async () => {
    const { seq, kind, ...rest } = eventFor('a', 1);
    await writeFile(path, `${JSON.stringify({ ...rest, kind, seq })}\n`);
    const log = await RunLog.open(path);
    assert.equal(log.lastSeq, 1);
    assert.deepEqual(await log.read(), [eventFor('a', 1)]);
    await log.close();
  });

  it('truncates after a seq durably, so a resumed run re-appends the same seqs without duplicates', async () => {
    const log = await RunLog.open(path, { sparseIndexEvery: 4 });
    for (let seq = 1; seq <= 50; seq++) log.append(eventFor('a', seq));
    assert.equal(await log.truncateAfter(37), 13);
    assert.equal(log.lastSeq, 37);
    assert.equal(await log.truncateAfter(40), 0);
    for (let seq = 38; seq <= 60; seq++) log.append(eventFor('a', seq));
    assert.equal(await log.truncateAfter(9), 51);
    for (let seq = 10; seq <= 20; seq++) log.append(eventFor('a', seq));
    await log.close();
    const reopened = await RunLog.open(path, { sparseIndexEvery: 4 });
    assert.deepEqual(await reopened.read(), range(1, 20).map((seq) => eventFor('a', seq)));
    assert.equal(await reopened.truncateAfter(0), 20);
    assert.equal((await readFile(path)).byteLength, 0);
    reopened.append(eventFor('a', 1));
    await reopened.close();
  });

  it('reads windows since a seq, the last N, and other kinds with the same answers as a full scan', async () => {
    const log = await RunLog.open(path, { sparseIndexEvery: 8 });
    for (let seq = 1; seq <= 400; seq++) log.append(eventFor('a', seq));
    await log.flush();
    const all = await log.read({ since: 0, limit: 1_000_000 });
    assert.deepEqual(seqsOf(all), range(1, 400));
    const windows = all.filter((event) => event.kind === 'window');
    assert.deepEqual(await log.read({ kinds: ['window'], since: 101, limit: 5 }), windows.filter((event) => event.seq > 101).slice(0, 5));
    assert.deepEqual(seqsOf(await log.read({ kinds: ['window'], limit: 3 })), [392, 396, 400]);
    assert.deepEqual(seqsOf(await log.read({ kinds: ['window', 'shift'], since: 390, limit: 4 })), [392, 394, 396, 398]);
    // episode and state are not fully indexed: forward scan from the sparse index, or backwards for the tail.
    assert.deepEqual(seqsOf(await log.read({ kinds: ['episode'], since: 250, limit: 3 })), [253, 257, 261]);
    assert.deepEqual(seqsOf(await log.read({ kinds: ['episode', 'state'], limit: 4 })), [393, 395, 397, 399]);
    assert.deepEqual(seqsOf(await log.read({ limit: 3 })), [398, 399, 400]);
    assert.deepEqual(await log.read({ since: 400 }), []);
    await assert.rejects(log.read({ limit: 0 }), /limit must be an integer/);
    await log.close();
  });

  it('reads lines longer than the scan chunk and logs spanning many chunks', async () => {
    const log = await RunLog.open(path, { sparseIndexEvery: 16 });
    const huge = { ...eventFor('a', 1), params: { blob: 'y'.repeat(3 << 20) } } as RunEvent;
    log.append(huge);
    for (let seq = 2; seq <= 3000; seq++) log.append(eventFor('a', seq));
    await log.close();
    const reopened = await RunLog.open(path, { sparseIndexEvery: 16 });
    assert.equal(reopened.lastSeq, 3000);
    const tail = await reopened.read({ kinds: ['state', 'episode'], limit: 2000 });
    assert.equal(tail.length, 1500);
    assert.equal(tail[0].seq, 1);
    assert.deepEqual(tail[0], huge);
    assert.equal(await reopened.truncateAfter(2500), 500);
    await reopened.close();
    await truncate(path, (await readFile(path)).byteLength - 1); // the last line loses its newline
    const last = await RunLog.open(path);
    assert.equal(last.lastSeq, 2499);
    await last.close();
  });
});
