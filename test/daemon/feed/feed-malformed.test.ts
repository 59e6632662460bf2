import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/util/rng.ts';
import { errorMessageSchema } from '../../../src/config/feed-messages.ts';
import type { FeedErrorCode } from '../../../src/config/feed-messages.ts';
import { parseClientMessage } from '../../../src/daemon/feed/index.ts';
import { EventFactory, FeedClient, startFeed, delay } from './feed-test-kit.ts';
import type { FeedHarness } from './feed-test-kit.ts';

interface BadFrame {
  data: string | Buffer;
  binary: boolean;
  code: FeedErrorCode;
  what: string;
}

const KINDS = ['window', 'reset', 'episode', 'shift', 'state', 'units'];

function randomText(rng: Rng, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(rng.bernoulli(0.9) ? 32 + rng.int(95) : rng.int(0xffff));
  return text;
}

function oddValue(rng: Rng): unknown {
  const choices: unknown[] = [null, 0, -1, 3.5, true, false, '', 'x', [], {}, [1, 2], { a: 1 }, 'window', ['*'], Number.MAX_VALUE];
  return choices[rng.int(choices.length)];
}

/** One malformed frame and the error code it must get back. Every branch is invalid by construction. */
function badFrame(rng: Rng): BadFrame {
  const json = (value: unknown, code: FeedErrorCode, what: string): BadFrame => ({ data: JSON.stringify(value), binary: false, code, what });
  switch (rng.int(16)) {
    case 0: {
      // garbage that is not JSON: random text that cannot start a JSON value
      return { data: `#${randomText(rng, 1 + rng.int(200))}`, binary: false, code: 'invalid-json', what: 'garbage' };
    }
    case 1: {
      // a valid message cut short
      const full = JSON.stringify({ type: 'subscribe', agents: ['a', 'b'], kinds: ['window'], since: 12 });
      return { data: full.slice(0, 1 + rng.int(full.length - 2)), binary: false, code: 'invalid-json', what: 'truncated' };
    }
    case 2:
      return json([null, 1, 'two', [3], [{ type: 'ping' }]][rng.int(5)], 'invalid-message', 'non-object JSON');
    case 3:
      return { data: ['null', '42', '-0.5e9', '"subscribe"', 'true', '[]', '[{"type":"ping"}]'][rng.int(7)], binary: false, code: 'invalid-message', what: 'scalar/array' };
    case 4:
      return json({ type: randomText(rng, 1 + rng.int(30)) + '?' }, 'unknown-type', 'unknown type string');
    case 5:
      return json({ type: [null, 7, true, ['ping'], { ping: 1 }][rng.int(5)] }, 'unknown-type', 'non-string type');
    case 6:
      return json({ agents: '*', kinds: ['window'] }, 'unknown-type', 'missing type');
    case 7:
      return json({ type: 'subscribe', kinds: ['window'] }, 'invalid-message', 'subscribe without agents');
    case 8: {
      const agents = [null, 5, 'all', '', { a: 1 }, [1, 2], ['a', 3], ['']][rng.int(8)];
      return json({ type: 'subscribe', agents }, 'invalid-message', 'wrong agents');
    }
    case 9: {
      const kinds = ['window', [], ['windows'], [null], [KINDS[rng.int(6)], 'unit'], 3][rng.int(6)];
      return json({ type: 'subscribe', agents: '*', kinds }, 'invalid-message', 'wrong kinds');
    }
    case 10: {
      const since = [-1, 1.5, '10', null, Number.MAX_VALUE, [], true][rng.int(7)];
      return json({ type: 'subscribe', agents: ['a'], since }, 'invalid-message', 'wrong since');
    }
    case 11:
      return json({ type: ['ping', 'unsubscribe', 'subscribe'][rng.int(3)], agents: '*', [randomText(rng, 5) + 'X']: oddValue(rng) }, 'invalid-message', 'extra field');
    case 12: {
      // huge strings, still under maxPayload
      const size = 5000 + rng.int(40000);
      const variants = [
        { type: 'subscribe', agents: ['x'.repeat(size)] },
        { type: 'ping', id: 'y'.repeat(size) },
        { type: 'subscribe', agents: Array.from({ length: 1001 + rng.int(3000) }, (_, i) => `a${i}`) },
      ];
      return json(variants[rng.int(3)], 'invalid-message', 'huge');
    }
    case 13: {
      const depth = 1000 + rng.int(8000); // stays under the 64 KiB maxPayload
      const variants: Array<[string, FeedErrorCode]> = [
        ['['.repeat(depth) + ']'.repeat(depth), 'invalid-message'],
        ['{"a":'.repeat(depth) + '1' + '}'.repeat(depth), 'unknown-type'],
        [`{"type":"subscribe","agents":${'['.repeat(depth)}"a"${']'.repeat(depth)}}`, 'invalid-message'],
        [`{"type":"unsubscribe","kinds":${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}}`, 'invalid-message'],
      ];
      const [data, code] = variants[rng.int(4)];
      return { data, binary: false, code, what: 'deeply nested' };
    }
    case 14:
      return json({ type: null, agents: null, kinds: null, since: null }, 'unknown-type', 'nulls');
    default: {
      const bytes = Buffer.alloc(1 + rng.int(64));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return { data: bytes, binary: true, code: 'binary-frame', what: 'binary' };
    }
  }
}

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
