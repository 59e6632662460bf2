import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeStream, makeStream, streamDefaults, streamIds } from '../../../envs/streams/index.ts';
import { PlasticdError } from '../../../src/util/errors.ts';

describe('makeStream', () => {
  it('lists the four streams', () => {
    assert.deepEqual(streamIds(), ['bit-flipping', 'bit-flipping-resample', 'permuted-mnist', 'random-label-mnist']);
    for (const id of streamIds()) assert.ok(describeStream(id).length > 20);
  });

  it('builds each stream with its defaults and reports its id and kind', () => {
    const kinds = streamIds().map((id) => {
      const stream = makeStream(id, { seed: 1 });
      assert.equal(stream.id, id);
      return stream.kind;
    });
    assert.deepEqual(kinds, ['regression', 'regression', 'classification', 'classification']);
    assert.equal(makeStream('bit-flipping').params.variant, 'flip-one');
    assert.equal(makeStream('bit-flipping-resample').params.variant, 'resample');
    assert.equal(makeStream('permuted-mnist', { examplesPerTask: 10_000 }).examplesPerTask, 10_000);
    assert.equal(streamDefaults('bit-flipping').flipAfter, 10_000);
  });

  it('rejects an unknown id, an unknown option and an option of the wrong type', () => {
    const codeOf = (f: () => unknown): string => {
      try {
        f();
      } catch (error) {
        assert.ok(error instanceof PlasticdError);
        return error.code;
      }
      return 'no error';
    };
    assert.equal(codeOf(() => makeStream('cifar')), 'unknown_stream');
    assert.equal(codeOf(() => makeStream('bit-flipping', { flipEvery: 5 })), 'invalid_stream_option');
    assert.equal(codeOf(() => makeStream('bit-flipping', { flipAfter: '5' })), 'invalid_stream_option');
    assert.equal(codeOf(() => makeStream('toString')), 'unknown_stream');
  });
});
