import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer } from './helpers/app-server.ts';
import type { AppServer } from './helpers/app-server.ts';
import { MemorySupervisor, VALID_SPEC } from './helpers/memory-supervisor.ts';
import { generateCases, generateUnauthorizedCases, KNOWN_AGENTS } from './helpers/http-fuzz-cases.ts';
import type { FuzzCase } from './helpers/http-fuzz-cases.ts';
import { HANG_MS, runFuzzCases } from './helpers/http-fuzz-client.ts';
import type { FuzzTally } from './helpers/http-fuzz-client.ts';
import { serveWebAssets } from '../../src/daemon/web-assets.ts';

const SEED = 20_261_120;
const CASES = 1000;
const UNAUTHORIZED_CASES = 200;
const BATCH = 25;
const TOKEN = 'fuzz-token-0123456789';

/** A well-formed request round: the daemon still serves (read, pause, resume). */
async function assertStillServing(server: AppServer): Promise<void> {
  const agent = await fetch(`${server.url}/api/agents/alpha`, { signal: AbortSignal.timeout(HANG_MS) });
  assert.equal(agent.status, 200);
  assert.equal(((await agent.json()) as { id: string }).id, 'alpha');
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  for (const action of ['pause', 'resume']) {
    const response = await fetch(`${server.url}/api/agents/alpha/${action}`, { method: 'POST', headers, body: '{}', signal: AbortSignal.timeout(HANG_MS) });
    assert.equal(response.status, 200, action);
  }
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
}

function runCases(server: AppServer, cases: FuzzCase[]): Promise<FuzzTally> {
  return runFuzzCases(server, cases, BATCH, () => assertStillServing(server));
}

function newSupervisor(): MemorySupervisor {
  const supervisor = new MemorySupervisor();
  for (const id of KNOWN_AGENTS) supervisor.seed({ ...VALID_SPEC, id }, 5);
  return supervisor;
}

describe('HTTP API under malformed input', () => {
  let open: AppServer;
  let guarded: AppServer;
  before(async () => {
    // Without a token every defect reaches validation; with one, mutations stop at 401 first.
    open = await startAppServer({ supervisor: newSupervisor(), webAssets: serveWebAssets() });
    guarded = await startAppServer({ supervisor: newSupervisor(), token: TOKEN, webAssets: serveWebAssets() });
  });
  after(async () => {
    await open.close();
    await guarded.close();
  });

  it(`answers ${CASES} generated malformed requests with a 4xx JSON error and keeps serving after every batch`, async () => {
    const callsBefore = open.supervisor.calls.length;
    const { byKind, byStatus, byCode } = await runCases(open, generateCases(SEED, CASES));
    assert.equal([...byKind.values()].reduce((a, b) => a + b, 0), CASES);
    assert.equal(byKind.size, 10, `every generator ran: ${[...byKind.keys()]}`);
    // The defects were caught where they should be: each family shows up with its own code.
    for (const code of ['invalid_json', 'invalid_body', 'invalid_spec', 'invalid_query', 'invalid_id', 'body_too_large', 'unsupported_media_type', 'not_found', 'agent_not_found', 'method_not_allowed', 'bad_request']) {
      assert.ok((byCode.get(code) ?? 0) > 0, `some case answered ${code}: ${JSON.stringify([...byCode])}`);
    }
    assert.ok(!byStatus.has(500));
    // Only the unknown-id cases (well-formed otherwise) reach the supervisor's mutating methods.
    const mutations = open.supervisor.calls.slice(callsBefore).filter((call) => !['getAgent', 'listAgents', 'windows', 'pauseAgent', 'resumeAgent'].includes(call.method));
    assert.ok(mutations.every((call) => String(call.args[0]).startsWith('ghost-')), JSON.stringify(mutations.slice(0, 3)));
    assert.equal(open.logs.filter((line) => (line.level as number) >= 50).length, 0, 'no request failed with an internal error');
    console.log(`fuzz: ${CASES} cases; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; codes ${JSON.stringify(Object.fromEntries(byCode))}`);
  });

  it(`answers ${UNAUTHORIZED_CASES} mutating requests with a missing or wrong token with 401, and the agents are untouched`, async () => {
    const callsBefore = guarded.supervisor.calls.length;
    const { byStatus } = await runCases(guarded, generateUnauthorizedCases(SEED + 1, UNAUTHORIZED_CASES, TOKEN));
    assert.deepEqual([...byStatus.keys()], [401]);
    const reached = guarded.supervisor.calls.slice(callsBefore).filter((call) => call.method !== 'getAgent' && call.method !== 'pauseAgent' && call.method !== 'resumeAgent');
    assert.deepEqual(reached, []);
    assert.deepEqual(guarded.supervisor.listAgents().map((agent) => agent.id), [...KNOWN_AGENTS]);
  });
});
