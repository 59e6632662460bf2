import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../../../src/daemon/store/checkpoint-store.ts';
import type { StoreLogger } from '../../../src/daemon/store/store-logger.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

function recordingLogger(): StoreLogger & { warnings: Array<{ details: object; message: string }> } {
  const warnings: Array<{ details: object; message: string }> = [];
  return { warnings, info: () => undefined, warn: (details, message) => void warnings.push({ details, message }) };
}

const payloadFor = (n: number) => ({ n, weights: new Float32Array([n, n + 0.5, -n]) });

describe('CheckpointStore', () => {
  let directory: string;
  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'plasticd-ckpt-')), 'checkpoints');
  });
  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  it('keeps exactly the last K checkpoints on disk and in the manifest', async () => {
    let time = 1000;
    const store = await CheckpointStore.open({ directory, agent: 'a', keep: 3, clock: () => time++ });
    for (let n = 1; n <= 7; n++) await store.write(payloadFor(n), { step: n * 100, eventSeq: n * 10 });
    assert.deepEqual((await readdir(directory)).sort(), ['ckpt-000000005.bin', 'ckpt-000000006.bin', 'ckpt-000000007.bin', 'manifest.json']);
    const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
    assert.equal(manifest.formatVersion, 1);
    assert.equal(manifest.agent, 'a');
    assert.equal(manifest.latest, 'ckpt-000000007');
    assert.deepEqual(
      manifest.checkpoints.map((entry: { id: string; step: number; eventSeq: number; time: number }) => [entry.id, entry.step, entry.eventSeq, entry.time]),
      [
        ['ckpt-000000005', 500, 50, 1004],
        ['ckpt-000000006', 600, 60, 1005],
        ['ckpt-000000007', 700, 70, 1006],
      ],
    );
    const loaded = await (await CheckpointStore.open({ directory, agent: 'a' })).loadLatest();
    assert.equal(loaded?.entry.eventSeq, 70);
    assert.deepEqual(loaded?.payload, payloadFor(7));
  });

  it('returns null when nothing was ever checkpointed', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a' });
    assert.equal(await store.loadLatest(), null);
    assert.equal(store.latest(), null);
  });

  it('falls back to the previous checkpoint with a warning when the latest is corrupt, and continues after it', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a' });
    for (let n = 1; n <= 3; n++) await store.write(payloadFor(n), { step: n, eventSeq: n * 10 });
    const latest = join(directory, 'ckpt-000000003.bin');
    const bytes = await readFile(latest);
    bytes[bytes.byteLength - 2] ^= 0xff; // flip one bit of the last weight: same size, wrong hash
    await writeFile(latest, bytes);

    const logger = recordingLogger();
    const reopened = await CheckpointStore.open({ directory, agent: 'a', logger });
    const loaded = await reopened.loadLatest();
    assert.equal(loaded?.entry.id, 'ckpt-000000002');
    assert.deepEqual(loaded?.payload, payloadFor(2));
    assert.equal(loaded?.skipped[0].id, 'ckpt-000000003');
    assert.match(loaded!.skipped[0].reason, /SHA-256/);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0].message, /falling back/);
    // The corrupt file is kept aside, out of the manifest; the next checkpoint follows the one resumed from.
    assert.deepEqual(reopened.entries().map((entry) => entry.id), ['ckpt-000000001', 'ckpt-000000002']);
    const next = await reopened.write(payloadFor(4), { step: 4, eventSeq: 25 });
    assert.equal(next.id, 'ckpt-000000004');
    assert.ok((await readdir(directory)).includes('ckpt-000000003.bin.corrupt'));
  });

  it('falls back when the latest file is missing or truncated, and fails loudly when none is readable', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a' });
    for (let n = 1; n <= 3; n++) await store.write(payloadFor(n), { step: n, eventSeq: n });
    await rm(join(directory, 'ckpt-000000003.bin'));
    const bytes = await readFile(join(directory, 'ckpt-000000002.bin'));
    await writeFile(join(directory, 'ckpt-000000002.bin'), bytes.subarray(0, 20));
    assert.equal((await store.loadLatest())?.entry.id, 'ckpt-000000001');

    await writeFile(join(directory, 'ckpt-000000001.bin'), 'garbage');
    await assert.rejects(
      (await CheckpointStore.open({ directory, agent: 'a' })).loadLatest(),
      (error: unknown) => error instanceof PlasticdError && error.code === 'checkpoint-corrupt' && /no readable checkpoint/.test(error.message),
    );
  });

  it('names the manifest file and the bad field when the manifest is invalid', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a' });
    await store.write(payloadFor(1), { step: 1, eventSeq: 1 });
    const manifestPath = join(directory, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.checkpoints[0].sha256 = 'nope';
    manifest.checkpoints[0].eventSeq = -1;
    await writeFile(manifestPath, JSON.stringify(manifest));
    await assert.rejects(CheckpointStore.open({ directory, agent: 'a' }), (error: unknown) => {
      assert.ok(error instanceof PlasticdError);
      assert.equal(error.code, 'store-invalid-file');
      assert.ok(error.message.startsWith(`${manifestPath}: invalid checkpoint manifest`), error.message);
      assert.match(error.message, /field 'checkpoints\.0\.eventSeq'/);
      assert.match(error.message, /field 'checkpoints\.0\.sha256': expected 64 lowercase hex/);
      return true;
    });
    await writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 2, checkpoints: [], latest: null }));
    await assert.rejects(CheckpointStore.open({ directory, agent: 'a' }), /field 'formatVersion'/);
    await writeFile(manifestPath, '{"formatVersion": 1,');
    await assert.rejects(CheckpointStore.open({ directory, agent: 'a' }), /manifest\.json: checkpoint manifest is not valid JSON/);
  });

  it('removes temporary files and checkpoint files the manifest never named on open', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a' });
    await store.write(payloadFor(1), { step: 1, eventSeq: 1 });
    await writeFile(join(directory, '.ckpt-000000002.bin.tmp-123-4'), 'partial');
    await writeFile(join(directory, 'ckpt-000000002.bin'), 'complete but unnamed');
    const reopened = await CheckpointStore.open({ directory, agent: 'a' });
    assert.deepEqual((await readdir(directory)).sort(), ['ckpt-000000001.bin', 'manifest.json']);
    assert.equal((await reopened.write(payloadFor(2), { step: 2, eventSeq: 2 })).id, 'ckpt-000000002');
  });

  it('serialises concurrent writes and rejects invalid positions', async () => {
    const store = await CheckpointStore.open({ directory, agent: 'a', keep: 2 });
    const entries = await Promise.all([1, 2, 3, 4].map((n) => store.write(payloadFor(n), { step: n, eventSeq: n })));
    assert.deepEqual(entries.map((entry) => entry.id), ['ckpt-000000001', 'ckpt-000000002', 'ckpt-000000003', 'ckpt-000000004']);
    assert.deepEqual(store.entries().map((entry) => entry.eventSeq), [3, 4]);
    await assert.rejects(store.write({}, { step: 1.5, eventSeq: 0 }), /step must be an integer/);
    await assert.rejects(CheckpointStore.open({ directory, agent: 'someone-else' }), /belongs to agent 'someone-else'/);
  });
});
