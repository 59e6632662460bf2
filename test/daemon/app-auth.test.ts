import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer } from './helpers/app-server.ts';
import type { AppServer } from './helpers/app-server.ts';
import { MemorySupervisor, VALID_SPEC } from './helpers/memory-supervisor.ts';

const TOKEN = 's3cret-token-for-tests';

/** Every mutating route, with a body that would be valid. */
const MUTATIONS: Array<[string, string, unknown]> = [
  ['POST', '/api/agents', { ...VALID_SPEC, id: 'fresh' }],
  ['PATCH', '/api/agents/cartpole-gxd', { description: 'x' }],
  ['POST', '/api/agents/cartpole-gxd/pause', {}],
  ['POST', '/api/agents/cartpole-gxd/resume', {}],
  ['POST', '/api/agents/cartpole-gxd/checkpoint', {}],
  ['POST', '/api/agents/cartpole-gxd/reset', {}],
  ['DELETE', '/api/agents/cartpole-gxd', undefined],
];

const READS = ['/api/agents', '/api/agents/cartpole-gxd', '/api/agents/cartpole-gxd/windows?since=0', '/api/info', '/api/openapi.json'];
const PROBES = ['/healthz', '/readyz', '/metrics'];

function request(server: AppServer, method: string, path: string, body: unknown, authorization?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('HTTP API with a token', () => {
  let server: AppServer;
  before(async () => {
    const supervisor = new MemorySupervisor();
    supervisor.seed(VALID_SPEC, 2);
    server = await startAppServer({ supervisor, token: TOKEN });
  });
  after(() => server.close());

  it('refuses every mutating route without a token: 401 unauthorized with WWW-Authenticate: Bearer, supervisor untouched', async () => {
    const callsBefore = server.supervisor.calls.length;
    for (const [method, path, body] of MUTATIONS) {
      const response = await request(server, method, path, body);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(((await response.json()) as any).error.code, 'unauthorized');
    }
    assert.equal(server.supervisor.calls.length, callsBefore);
  });

  it('refuses a wrong token, another scheme and a token in the query string', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ', `Bearer ${TOKEN} extra`]) {
      const response = await request(server, 'POST', '/api/agents/cartpole-gxd/checkpoint', {}, authorization);
      assert.equal(response.status, 401, authorization);
    }
    const query = await request(server, 'POST', `/api/agents/cartpole-gxd/checkpoint?token=${TOKEN}`, {});
    assert.equal(query.status, 401);
  });

  it('checks the token before reading the body: garbage from a stranger gets 401, not 400', async () => {
    const response = await fetch(`${server.url}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{{{' });
    assert.equal(response.status, 401);
  });

  it('accepts the right token on every mutating route', async () => {
    for (const [method, path, body] of MUTATIONS) {
      const response = await request(server, method, path, body, `Bearer ${TOKEN}`);
      assert.ok(response.status >= 200 && response.status < 300, `${method} ${path} → ${response.status}`);
    }
  });

  it('keeps reads and probes open (documented choice)', async () => {
    for (const path of [...READS.filter((path) => !path.includes('cartpole-gxd')), ...PROBES]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
    }
  });

  it('logs each change with method, path and status, never the token', async () => {
    const changes = server.logs.filter((line) => line.msg === 'api change');
    assert.ok(changes.length >= MUTATIONS.length);
    assert.ok(!JSON.stringify(server.logs).includes(TOKEN));
  });
});

describe('HTTP API with a token and readsRequireToken', () => {
  let server: AppServer;
  before(async () => {
    const supervisor = new MemorySupervisor();
    supervisor.seed(VALID_SPEC, 2);
    server = await startAppServer({ supervisor, token: TOKEN, readsRequireToken: true });
  });
  after(() => server.close());

  it('requires the token on API reads but not on health, readiness and metrics', async () => {
    for (const path of READS) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 401, path);
      assert.equal((await request(server, 'GET', path, undefined, `Bearer ${TOKEN}`)).status, 200, path);
    }
    for (const path of PROBES) assert.equal((await fetch(`${server.url}${path}`)).status, 200, path);
  });
});

describe('HTTP API without a token', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer({ token: '   ' });
  });
  after(() => server.close());

  it('treats a blank token as none: mutations need no Authorization', async () => {
    const response = await request(server, 'POST', '/api/agents', VALID_SPEC);
    assert.equal(response.status, 201);
  });
});
