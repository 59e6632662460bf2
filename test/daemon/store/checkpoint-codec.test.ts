import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/daemon/store/checkpoint-codec.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

const META = { agent: 'a', id: 'ckpt-000000001', step: 10, eventSeq: 7, time: 1 };

async function encode(payload: unknown): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  await encodeCheckpoint(payload, META, { write: async (chunk) => void chunks.push(Uint8Array.from(chunk)) });
  return Buffer.concat(chunks);
}

async function roundTrip(payload: unknown): Promise<unknown> {
  return decodeCheckpoint(await encode(payload), 'test.bin').payload;
}

function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

describe('checkpoint codec', () => {
  it('restores typed arrays bit for bit, including NaN payloads, -0 and infinities', async () => {
    const floats = new Float32Array([0, -0, Infinity, -Infinity, 1.5, 3.4028234663852886e38, 1e-45]);
    const withPayloadNaN = new Float32Array(4);
    new Uint32Array(withPayloadNaN.buffer).set([0x7fc00001, 0xffc12345, 0x7f800001, 0x7fc00000]);
    const doubles = new Float64Array([-0, NaN, Number.MIN_VALUE, -Infinity]);
    new Uint32Array(doubles.buffer).set([0xdeadbeef, 0x7ff80000], 2); // a NaN with a payload in slot 1
    const payload = {
      floats,
      withPayloadNaN,
      doubles,
      ints: new Int32Array([-2147483648, 2147483647, 0]),
      bytes: new Uint8Array([0, 255, 7]),
      odd: new Uint8Array([1, 2, 3]), // forces padding before the next array
      afterOdd: new Float64Array([Math.PI]),
      big: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
      view: new Float32Array(new Float32Array([9, 8, 7, 6]).buffer, 4, 2),
    };
    const restored = (await roundTrip(payload)) as Record<string, ArrayBufferView>;
    for (const [key, original] of Object.entries(payload)) {
      assert.equal(restored[key].constructor, original.constructor, key);
      assert.ok(bytesOf(restored[key]).equals(bytesOf(original)), `${key} bytes differ`);
    }
    assert.equal(new Uint32Array((restored.withPayloadNaN as Float32Array).buffer)[1], 0xffc12345);
    assert.deepEqual([...(restored.view as Float32Array)], [8, 7]);
  });

  it('restores plain numbers JSON cannot carry, undefined, and keys that look like markers', async () => {
    const payload = {
      nan: NaN,
      negativeZero: -0,
      infinities: [Infinity, -Infinity],
      missing: undefined,
      list: [1, undefined, null, 'x'],
      $typed: 'not a typed array',
      $$twice: { $number: 'NaN', offset: 3 },
      nested: { deep: [{ a: new Float32Array([1, 2]) }] },
    };
    const restored = (await roundTrip(payload)) as typeof payload;
    assert.ok(Number.isNaN(restored.nan));
    assert.ok(Object.is(restored.negativeZero, -0));
    assert.deepEqual(restored.infinities, [Infinity, -Infinity]);
    assert.ok('missing' in restored && restored.missing === undefined);
    assert.deepEqual(restored.list, [1, undefined, null, 'x']);
    assert.equal(restored.$typed, 'not a typed array');
    assert.deepEqual(restored.$$twice, { $number: 'NaN', offset: 3 });
    assert.deepEqual(restored.nested.deep[0].a, new Float32Array([1, 2]));
  });

  it('stores a Node Buffer as a Uint8Array and returns copies that do not share memory', async () => {
    const shared = new Float32Array([1, 2, 3]);
    const restored = (await roundTrip({ buffer: Buffer.from([1, 2]), a: shared, b: shared })) as Record<string, ArrayBufferView>;
    assert.equal(restored.buffer.constructor, Uint8Array);
    (restored.a as Float32Array)[0] = 42;
    assert.equal((restored.b as Float32Array)[0], 1);
  });

  it('refuses Maps, class instances, functions, bigints and cycles, naming the path', async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const cases: Array<[unknown, RegExp]> = [
      [{ a: new Map() }, /at \$\.a is an instance of Map/],
      [{ a: [1, () => 1] }, /at \$\.a\[1\] is function/],
      [{ b: 1n }, /at \$\.b is bigint/],
      [{ when: new Date(0) }, /at \$\.when is an instance of Date/],
      [cycle, /at \$\.self is a cycle/],
      [{ v: new DataView(new ArrayBuffer(4)) }, /at \$\.v is DataView/],
    ];
    for (const [payload, message] of cases) {
      await assert.rejects(encode(payload), (error: unknown) => error instanceof PlasticdError && error.code === 'checkpoint-unencodable' && message.test(error.message));
    }
  });

  it('rejects truncated files, wrong magic and arrays outside the binary section', async () => {
    const file = await encode({ w: new Float32Array(16) });
    assert.throws(() => decodeCheckpoint(file.subarray(0, file.byteLength - 4), 'x.bin'), /x\.bin: not a readable checkpoint: expected \d+ bytes/);
    const wrongMagic = Buffer.from(file);
    wrongMagic[0] = 0x41;
    assert.throws(() => decodeCheckpoint(wrongMagic, 'x.bin'), /magic/);
    const header = decodeCheckpoint(file, 'x.bin').header;
    assert.equal(header.eventSeq, 7);
    assert.equal(header.binaryBytes, 64);
  });
});
