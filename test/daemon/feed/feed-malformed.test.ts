import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.ts';
import { errorMessageSchema } from '../../../src/config/feed-messages.ts';
import { parseClientMessage } from '../../../src/daemon/feed/index.ts';
import { EventFactory, FeedClient, startFeed, delay } from './feed-test-kit.ts';
import type { FeedHarness } from './feed-test-kit.ts';
import { badFrame } from '../helpers/feed-fuzz-frames.ts';

describe('FeedGateway with malformed client messages', () => {
  let harness: FeedHarness;
  before(async () => {
    harness = await startFeed();
  });
  after(async () => harness.stop());

  it('answers each of 1,200 generated malformed messages with an error while serving a good client', async () => {
    const rng = new Rng(2024);
    const frames = Array.from({ length: 1200 }, () => badFrame(rng));
    // every category is exercised
    assert.equal(new Set(frames.map((f) => f.what)).size, 16);
    const good = await FeedClient.connect(harness.url);
    await good.subscribe({ agents: '*' });
    const bad = await FeedClient.connect(harness.url);
    const factory = new EventFactory(new Rng(1));
    let published = 0;
    let fuzzing = true;
    const publisher = (async () => {
      while (fuzzing) {
        harness.gateway.publish(factory.make(`agent-${published % 3}`, published % 2 ? 'window' : 'episode'));
        published++;
        await delay(2);
      }
    })();
    // Batches below maxConsecutiveErrors, each followed by a valid ping, so the bad client stays connected.
    for (let start = 0; start < frames.length; start += 20) {
      for (const frame of frames.slice(start, start + 20)) bad.ws.send(frame.data, { binary: frame.binary });
      await bad.sync();
    }
    fuzzing = false;
    await publisher;
    await good.sync();

    const errors = bad.messages.filter((m) => m.type === 'error');
    assert.equal(errors.length, frames.length, 'one error per malformed message');
    errors.forEach((error, i) => {
      assert.ok(errorMessageSchema.safeParse(error).success);
      assert.equal(error.code, frames[i].code, `frame ${i} (${frames[i].what})`);
      assert.ok(error.message.length > 0 && error.message.length <= 400);
    });
    assert.equal(bad.closeCode, null, 'a bad message alone never closes the connection');
    assert.equal(harness.gateway.stats().badMessages, frames.length);
    const seqs = good.events().map((m) => m.seq as number);
    assert.equal(seqs.length, published);
    assert.deepEqual(seqs, Array.from({ length: published }, (_, i) => i + 1));
    assert.ok(published > 10, `published ${published} events during the fuzzing`);
  });

  it('gives every malformed frame a result from the parser without throwing', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      const frame = badFrame(rng);
      const data = typeof frame.data === 'string' ? Buffer.from(frame.data) : frame.data;
      const result = parseClientMessage(data, frame.binary);
      assert.equal(result.ok, false, frame.what);
      if (!result.ok) assert.equal(result.code, frame.code, frame.what);
    }
  });

  it('accepts well-formed messages', () => {
    for (const message of [
      { type: 'subscribe', agents: '*' },
      { type: 'subscribe', agents: ['a'], kinds: ['units'], since: 0 },
      { type: 'unsubscribe' },
      { type: 'unsubscribe', agents: '*', kinds: ['window'] },
      { type: 'ping' },
      { type: 'ping', id: 'abc' },
    ]) {
      const result = parseClientMessage(Buffer.from(JSON.stringify(message)), false);
      assert.equal(result.ok, true, JSON.stringify(message));
    }
  });
});
