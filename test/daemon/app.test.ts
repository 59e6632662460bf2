import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer } from './helpers/app-server.ts';
import type { AppServer } from './helpers/app-server.ts';
import { MemorySupervisor, VALID_SPEC } from './helpers/memory-supervisor.ts';
import { HTTP_LIMITS } from '../../src/config/http-bodies.ts';
import { serveWebAssets } from '../../src/daemon/web-assets.ts';
import { PlasticdError } from '../../src/util/errors.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

async function call(server: AppServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...JSON_HEADERS, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

describe('HTTP API: agents', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer();
  });
  after(() => server.close());

  it('lists no agents at first, as { agents: [] }', async () => {
    const response = await call(server, 'GET', '/api/agents');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { agents: [] });
  });

  it('creates an agent from a valid spec with 201, a Location header and the detail', async () => {
    const response = await call(server, 'POST', '/api/agents', VALID_SPEC);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('location'), '/api/agents/cartpole-gxd');
    assert.equal(response.json.id, 'cartpole-gxd');
    assert.equal(response.json.state, 'running');
    assert.equal(response.json.env, 'CartPole-v1');
    assert.equal(response.json.agentKind, 'dqn');
    const listed = await call(server, 'GET', '/api/agents');
    assert.deepEqual(listed.json.agents.map((agent: { id: string }) => agent.id), ['cartpole-gxd']);
  });

  it('answers 409 agent_exists when the id is taken', async () => {
    const response = await call(server, 'POST', '/api/agents', VALID_SPEC);
    assert.equal(response.status, 409);
    assert.equal(response.json.error.code, 'agent_exists');
  });

  it('rejects an invalid spec with 400 invalid_spec naming the bad field, before reaching the supervisor', async () => {
    const before = server.supervisor.calls.filter((c) => c.method === 'createAgent').length;
    const response = await call(server, 'POST', '/api/agents', { ...VALID_SPEC, id: 'other', agent: { kind: 'dqn', learningRate: 'fast' } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_spec');
    assert.match(response.json.error.message, /agent/);
    assert.ok(Array.isArray(response.json.error.details.issues));
    assert.equal(server.supervisor.calls.filter((c) => c.method === 'createAgent').length, before);
  });

  it('rejects a create without a body with 400 invalid_body', async () => {
    const response = await call(server, 'POST', '/api/agents');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_body');
  });

  it('gets one agent with its spec, and 404 agent_not_found for an unknown id', async () => {
    const found = await call(server, 'GET', '/api/agents/cartpole-gxd');
    assert.equal(found.status, 200);
    assert.equal(found.json.spec.env.id, 'CartPole-v1');
    assert.equal(found.json.lastWindow, null);
    const missing = await call(server, 'GET', '/api/agents/nobody');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'agent_not_found');
    assert.match(missing.json.error.message, /nobody/);
  });

  it('answers 400 invalid_id for an id that can never exist', async () => {
    const response = await call(server, 'GET', `/api/agents/${encodeURIComponent('../etc')}`);
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_id');
  });

  it('patches an agent with a validated body and passes only the given keys', async () => {
    const response = await call(server, 'PATCH', '/api/agents/cartpole-gxd', { description: 'baseline', resetPolicy: { replacementRate: 0.001 } });
    assert.equal(response.status, 200);
    assert.equal(response.json.spec.description, 'baseline');
    const patchCall = server.supervisor.calls.filter((c) => c.method === 'patchAgent').at(-1);
    assert.deepEqual(patchCall?.args, ['cartpole-gxd', { description: 'baseline', resetPolicy: { replacementRate: 0.001 } }]);
  });

  it('rejects bad patches: unknown key, wrong type, empty patch, out-of-range value', async () => {
    for (const body of [{ learningrate: 0.1 }, { learningRate: 'high' }, {}, { learningRate: -1 }, { resetPolicy: { criterion: 'magic' } }, []]) {
      const response = await call(server, 'PATCH', '/api/agents/cartpole-gxd', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.error.code, 'invalid_body', JSON.stringify(body));
    }
  });

  it('pauses and resumes with or without an empty body, and 409 invalid_state for a second pause', async () => {
    const paused = await call(server, 'POST', '/api/agents/cartpole-gxd/pause');
    assert.equal(paused.status, 200);
    assert.equal(paused.json.state, 'paused');
    const again = await call(server, 'POST', '/api/agents/cartpole-gxd/pause', {});
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'invalid_state');
    const resumed = await call(server, 'POST', '/api/agents/cartpole-gxd/resume', {});
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json.state, 'running');
  });

  it('rejects a non-empty body on pause', async () => {
    const response = await call(server, 'POST', '/api/agents/cartpole-gxd/pause', { force: true });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_body');
  });

  it('checkpoints now and returns the step', async () => {
    const response = await call(server, 'POST', '/api/agents/cartpole-gxd/checkpoint', {});
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { step: 0, eventSeq: 0 });
  });

  it('resets units now with a validated request; supervisor errors keep their code', async () => {
    const plain = await call(server, 'POST', '/api/agents/cartpole-gxd/reset');
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.json, { resets: 1 });
    const targeted = await call(server, 'POST', '/api/agents/cartpole-gxd/reset', { network: 'q', layer: 1, units: 4 });
    assert.deepEqual(targeted.json, { resets: 4 });
    assert.deepEqual(server.supervisor.calls.filter((c) => c.method === 'resetAgentUnits').at(-1)?.args, ['cartpole-gxd', { network: 'q', layer: 1, units: 4 }]);
    const wrongType = await call(server, 'POST', '/api/agents/cartpole-gxd/reset', { units: 2.5 });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.json.error.code, 'invalid_body');
    const unknownNetwork = await call(server, 'POST', '/api/agents/cartpole-gxd/reset', { network: 'critic' });
    assert.equal(unknownNetwork.status, 400);
    assert.equal(unknownNetwork.json.error.code, 'invalid_reset_request');
  });

  it('deletes an agent with 204, after which it is 404', async () => {
    const deleted = await call(server, 'DELETE', '/api/agents/cartpole-gxd');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal((await call(server, 'GET', '/api/agents/cartpole-gxd')).status, 404);
    assert.equal((await call(server, 'DELETE', '/api/agents/cartpole-gxd')).status, 404);
  });
});

describe('HTTP API: window history', () => {
  let server: AppServer;
  before(async () => {
    const supervisor = new MemorySupervisor();
    supervisor.seed(VALID_SPEC, 30);
    server = await startAppServer({ supervisor });
  });
  after(() => server.close());

  const windowsOf = (json: { windows: Array<{ report: { window: number } }> }) => json.windows.map((event) => event.report.window);

  it('returns every window ascending when since is absent', async () => {
    const response = await call(server, 'GET', '/api/agents/cartpole-gxd/windows');
    assert.equal(response.status, 200);
    assert.deepEqual(windowsOf(response.json), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.deepEqual(server.supervisor.calls.at(-1)?.args, ['cartpole-gxd', { since: 0, limit: HTTP_LIMITS.defaultWindowsLimit }]);
  });

  it('returns windows after since, at most limit', async () => {
    const response = await call(server, 'GET', '/api/agents/cartpole-gxd/windows?since=25&limit=3');
    assert.deepEqual(windowsOf(response.json), [26, 27, 28]);
    const none = await call(server, 'GET', '/api/agents/cartpole-gxd/windows?since=30');
    assert.deepEqual(none.json, { windows: [] });
  });

  it('rejects bad query values with 400 invalid_query', async () => {
    for (const query of ['since=-1', 'since=abc', 'since=1.5', 'since=', 'limit=0', `limit=${HTTP_LIMITS.maxWindowsLimit + 1}`, 'since=1&since=2', 'sinse=3', 'since=1e3', 'since=9999999999999999']) {
      const response = await call(server, 'GET', `/api/agents/cartpole-gxd/windows?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.json.error.code, 'invalid_query', query);
    }
  });

  it('answers 404 for the windows of an unknown agent', async () => {
    const response = await call(server, 'GET', '/api/agents/ghost/windows?since=0');
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'agent_not_found');
  });
});

describe('HTTP API: service routes and errors', () => {
  let server: AppServer;
  before(async () => {
    server = await startAppServer({ webAssets: serveWebAssets() });
  });
  after(() => server.close());

  it('answers /healthz 200 always, and /readyz 200 or 503 following supervisor.ready()', async () => {
    assert.deepEqual((await call(server, 'GET', '/healthz')).json, { status: 'ok' });
    assert.equal((await call(server, 'GET', '/readyz')).status, 200);
    server.supervisor.isReady = false;
    const notReady = await call(server, 'GET', '/readyz');
    assert.equal(notReady.status, 503);
    assert.equal(notReady.json.error.code, 'not_ready');
    assert.equal((await call(server, 'GET', '/healthz')).status, 200);
    server.supervisor.isReady = true;
    assert.equal((await call(server, 'GET', '/readyz')).status, 200);
  });

  it('serves the registry at /metrics with its content type', async () => {
    const response = await call(server, 'GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(response.text, /^plasticd_test_requests_total 3$/m);
  });

  it('serves supervisor.info() at /api/info', async () => {
    const response = await call(server, 'GET', '/api/info');
    assert.equal(response.json.version, '0.1.0');
    assert.equal(response.json.backend, 'wasm');
  });

  it('mounts the live page after the API', async () => {
    const page = await call(server, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(page.headers.get('content-security-policy'));
  });

  it('answers an unknown route with 404 not_found as JSON', async () => {
    const response = await call(server, 'GET', '/api/agents/x/frobnicate');
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'not_found');
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const pause = await call(server, 'GET', '/api/agents/x/pause');
    assert.equal(pause.status, 405);
    assert.equal(pause.json.error.code, 'method_not_allowed');
    assert.equal(pause.headers.get('allow'), 'POST, OPTIONS');
    const agent = await call(server, 'PUT', '/api/agents/x', {});
    assert.equal(agent.status, 405);
    assert.equal(agent.headers.get('allow'), 'GET, HEAD, PATCH, DELETE, OPTIONS');
    const options = await call(server, 'OPTIONS', '/api/agents');
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await call(server, 'POST', '/api/agents', '{"id": "a",');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'invalid_json');
  });

  it('answers a body over 256 KiB with 413 body_too_large', async () => {
    const response = await call(server, 'POST', '/api/agents', JSON.stringify({ id: 'a', padding: 'x'.repeat(HTTP_LIMITS.bodyBytes) }));
    assert.equal(response.status, 413);
    assert.equal(response.json.error.code, 'body_too_large');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const response = await call(server, 'POST', '/api/agents/x/pause', undefined, {});
    assert.notEqual(response.status, 415); // no body at all is fine
    const form = await fetch(`${server.url}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=a' });
    assert.equal(form.status, 415);
    assert.equal(((await form.json()) as any).error.code, 'unsupported_media_type');
    const latin = await fetch(`${server.url}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' });
    assert.equal(latin.status, 415);
    const gzip = await fetch(`${server.url}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' });
    assert.equal(gzip.status, 415);
  });

  it('answers a bad percent-encoding in the path with 400', async () => {
    const response = await call(server, 'GET', '/api/agents/%E0%A4%A');
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'bad_request');
  });
});

describe('HTTP API: unexpected supervisor failures', () => {
  class BrokenSupervisor extends MemorySupervisor {
    override listAgents(): never {
      throw new TypeError('cannot read properties of undefined');
    }
    override async pauseAgent(): Promise<never> {
      throw new PlasticdError('worker_crashed', 'the worker exited');
    }
  }
  let server: AppServer;
  before(async () => {
    server = await startAppServer({ supervisor: new BrokenSupervisor() });
  });
  after(() => server.close());

  it('answers 500 internal_error without leaking the message, and logs the error', async () => {
    const response = await call(server, 'GET', '/api/agents');
    assert.equal(response.status, 500);
    assert.equal(response.json.error.code, 'internal_error');
    assert.doesNotMatch(response.json.error.message, /undefined/);
    const logged = server.logs.find((line) => line.msg === 'request failed');
    assert.ok(logged, 'the failure is logged');
    assert.equal(logged.level, 50);
    assert.match(JSON.stringify(logged.err), /cannot read properties/);
  });

  it('maps an unknown PlasticdError code to 500 internal_error naming the code', async () => {
    server.supervisor.seed(VALID_SPEC);
    const response = await call(server, 'POST', '/api/agents/cartpole-gxd/pause');
    assert.equal(response.status, 500);
    assert.equal(response.json.error.code, 'internal_error');
    assert.match(response.json.error.message, /worker_crashed/);
  });
});
