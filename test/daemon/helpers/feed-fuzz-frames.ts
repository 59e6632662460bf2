/**
 * TEST HELPER: seeded generator of malformed websocket client messages (garbage, truncated JSON,
 * wrong types, unknown types, extra fields, huge strings, deep nesting, binary frames), each with
 * the error code the feed must answer. Used against the gateway (feed-malformed.test.ts) and the
 * real daemon (test/e2e/bad-input-daemon.test.ts).
 */
import type { Rng } from '../../../src/util/rng.ts';
import type { FeedErrorCode } from '../../../src/config/feed-messages.ts';

export interface BadFrame {
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
export function badFrame(rng: Rng): BadFrame {
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

