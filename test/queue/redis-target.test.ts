import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisTarget } from '../../src/queue/redis-target.ts';
import { runJobId } from '../../src/queue/run-jobs.ts';
import { PlasticdError } from '../../src/util/errors.ts';

const fails = (url: string, message: RegExp) =>
  assert.throws(() => parseRedisTarget(url), (error: unknown) => error instanceof PlasticdError && error.code === 'invalid_queue_url' && message.test(error.message));

describe('parseRedisTarget', () => {
  it('reads host, port, database, credentials, TLS and the key prefix', () => {
    const plain = parseRedisTarget('redis://queue.lab:6380');
    assert.deepEqual([plain.connection.host, plain.connection.port, plain.connection.db, plain.prefix], ['queue.lab', 6380, 0, 'plasticd']);
    assert.equal(plain.connection.maxRetriesPerRequest, null, 'blocking workers need requests that wait for a reconnect');
    const full = parseRedisTarget('rediss://alice:s%40cret@10.0.0.5/3?prefix=lab-a');
    assert.deepEqual([full.connection.username, full.connection.password, full.connection.port, full.connection.db, full.prefix], ['alice', 's@cret', 6379, 3, 'lab-a']);
    assert.deepEqual(full.connection.tls, {});
    assert.equal(full.display, 'rediss://alice@10.0.0.5/3?prefix=lab-a', 'the password never reaches logs');
    assert.equal(parseRedisTarget('redis://[::1]:7000').connection.host, '::1');
  });

  it('names what is wrong with anything else, without echoing a password', () => {
    fails('localhost:6379', /not a URL|scheme/);
    fails('http://127.0.0.1:6379', /scheme must be redis:\/\/ or rediss:\/\/, not http:\/\//);
    fails('redis://127.0.0.1:6379/queue', /database number/);
    fails('redis://127.0.0.1:6379?db=2', /unknown query parameter 'db'/);
    fails('redis://127.0.0.1:6379?prefix=a:b', /prefix must be/);
    assert.throws(() => parseRedisTarget('http://bob:hunter2@x'), (error: unknown) => !(error as Error).message.includes('hunter2'));
  });
});

describe('runJobId', () => {
  it('is stable for a run of an output folder, differs across folders, and holds no colon (BullMQ refuses it)', () => {
    assert.equal(runJobId('/shared/a', 'bp-seed1'), runJobId('/shared/a', 'bp-seed1'));
    assert.notEqual(runJobId('/shared/a', 'bp-seed1'), runJobId('/shared/b', 'bp-seed1'));
    assert.ok(!runJobId('/shared/a', 'bp-seed1').includes(':'));
  });
});
