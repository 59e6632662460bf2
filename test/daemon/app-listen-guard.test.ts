import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSafeListen, isLoopbackHost } from '../../src/daemon/listen-guard.ts';
import { PlasticdError } from '../../src/util/errors.ts';

describe('isLoopbackHost', () => {
  it('recognises loopback names and addresses', () => {
    for (const host of ['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.5.6.7', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('treats every-interface and routable addresses as not loopback', () => {
    for (const host of [undefined, '', '0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'example.com', '128.0.0.1', 'localhost.example.com']) {
      assert.equal(isLoopbackHost(host), false, String(host));
    }
  });
});

describe('assertSafeListen', () => {
  it('allows loopback without a token', () => {
    assert.doesNotThrow(() => assertSafeListen({ host: '127.0.0.1', port: 8080 }));
    assert.doesNotThrow(() => assertSafeListen({ host: 'localhost' }));
  });

  it('allows any address with a token', () => {
    assert.doesNotThrow(() => assertSafeListen({ host: '0.0.0.0', token: 'secret' }));
    assert.doesNotThrow(() => assertSafeListen({ token: 'secret' }));
  });

  it('refuses a non-loopback address without a token, with an actionable message', () => {
    for (const target of [{ host: '0.0.0.0', port: 8080 }, { host: '::' }, {}, { host: '192.168.1.2', token: '  ' }, { host: '10.1.1.1', token: '' }]) {
      assert.throws(
        () => assertSafeListen(target),
        (error: unknown) =>
          error instanceof PlasticdError && error.code === 'insecure_listen' && /token/.test(error.message) && /127\.0\.0\.1/.test(error.message),
        JSON.stringify(target),
      );
    }
  });

  it('names the address and port it refused', () => {
    assert.throws(() => assertSafeListen({ host: '0.0.0.0', port: 9464 }), /'0\.0\.0\.0' port 9464/);
    assert.throws(() => assertSafeListen({}), /every interface/);
  });
});
