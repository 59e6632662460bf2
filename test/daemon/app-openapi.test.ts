import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer } from './helpers/app-server.ts';
import type { AppServer } from './helpers/app-server.ts';

/** The service surface of DESIGN.md, as OpenAPI paths. */
const EXPECTED_OPERATIONS = [
  'get /api/agents',
  'post /api/agents',
  'get /api/agents/{id}',
  'patch /api/agents/{id}',
  'delete /api/agents/{id}',
  'post /api/agents/{id}/pause',
  'post /api/agents/{id}/resume',
  'post /api/agents/{id}/checkpoint',
  'post /api/agents/{id}/reset',
  'get /api/agents/{id}/windows',
  'get /api/info',
  'get /api/openapi.json',
  'get /healthz',
  'get /readyz',
  'get /metrics',
].sort();

type Json = any;

function collectRefs(node: Json, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value);
      else collectRefs(value, into);
    }
  }
  return into;
}

function resolvePointer(document: Json, ref: string): Json {
  assert.ok(ref.startsWith('#/'), `local ref ${ref}`);
  return ref.slice(2).split('/').reduce((node: Json, part) => (node === undefined ? undefined : node[part.replace(/~1/g, '/').replace(/~0/g, '~')]), document);
}

describe('GET /api/openapi.json', () => {
  let server: AppServer;
  let document: Json;
  before(async () => {
    server = await startAppServer({ token: 'token-for-the-doc' });
    const response = await fetch(`${server.url}/api/openapi.json`);
    assert.equal(response.status, 200);
    document = JSON.parse(await response.text());
  });
  after(() => server.close());

  it('is an OpenAPI 3.1 document with the JSON Schema 2020-12 dialect', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(document.info.title, 'plasticd');
    assert.equal(document.info.version, '0.1.0');
  });

  it('describes exactly the routes of the service surface, each with a unique operationId', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]: [string, Json]) => Object.keys(item).map((method) => `${method} ${path}`));
    assert.deepEqual(operations.sort(), EXPECTED_OPERATIONS);
    const ids = Object.values(document.paths).flatMap((item: Json) => Object.values(item).map((operation: Json) => operation.operationId));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('routes every documented operation in the app (no 404/405 for a documented path and method)', async () => {
    for (const operation of EXPECTED_OPERATIONS) {
      const [method, path] = operation.split(' ');
      const response = await fetch(`${server.url}${path.replace('{id}', 'some-agent')}`, { method: method.toUpperCase() });
      const body = response.status >= 400 ? ((await response.json()) as Json) : null;
      assert.ok(body === null || (body.error.code !== 'not_found' && body.error.code !== 'method_not_allowed'), `${operation} → ${response.status} ${body?.error.code}`);
      if (body === null) await response.arrayBuffer();
    }
  });

  it('makes request bodies references to component schemas generated from zod', () => {
    const bodies: Record<string, string> = {};
    for (const [path, item] of Object.entries(document.paths) as Array<[string, Json]>) {
      for (const [method, operation] of Object.entries(item) as Array<[string, Json]>) {
        if (operation.requestBody) bodies[`${method} ${path}`] = operation.requestBody.content['application/json'].schema.$ref;
      }
    }
    assert.deepEqual(bodies, {
      'post /api/agents': '#/components/schemas/AgentSpec',
      'patch /api/agents/{id}': '#/components/schemas/AgentPatch',
      'post /api/agents/{id}/pause': '#/components/schemas/EmptyBody',
      'post /api/agents/{id}/resume': '#/components/schemas/EmptyBody',
      'post /api/agents/{id}/checkpoint': '#/components/schemas/EmptyBody',
      'post /api/agents/{id}/reset': '#/components/schemas/ResetRequest',
    });
    assert.equal(document.paths['/api/agents'].post.requestBody.required, true);
    assert.equal(document.paths['/api/agents/{id}/reset'].post.requestBody.required, false);
  });

  it('carries the real AgentSpec and body schemas (required keys, strictness, bounds)', () => {
    const schemas = document.components.schemas;
    assert.equal(schemas.AgentSpec.type, 'object');
    assert.deepEqual([...schemas.AgentSpec.required].sort(), ['agent', 'id']);
    assert.equal(schemas.AgentSpec.additionalProperties, false);
    assert.ok(schemas.AgentSpec.properties.monitor, 'monitor block documented');
    assert.equal(schemas.AgentPatch.additionalProperties, false);
    assert.deepEqual(Object.keys(schemas.AgentPatch.properties).sort(), ['description', 'learningRate', 'resetPolicy']);
    assert.equal(schemas.AgentPatch.properties.learningRate.exclusiveMinimum, 0);
    assert.equal(schemas.ResetRequest.properties.units.type, 'integer');
    assert.equal(schemas.ResetRequest.required, undefined);
    for (const schema of Object.values(schemas) as Json[]) {
      assert.equal(schema.$schema, undefined);
      assert.equal(schema.$id, undefined);
    }
  });

  it('resolves every $ref in the document', () => {
    const refs = collectRefs(document);
    assert.ok(refs.length > 20);
    for (const ref of refs) assert.notEqual(resolvePointer(document, ref), undefined, ref);
  });

  it('documents since and limit as optional digit-string query parameters and id as a path parameter', () => {
    const parameters = document.paths['/api/agents/{id}/windows'].get.parameters;
    const byName = Object.fromEntries(parameters.map((parameter: Json) => [parameter.name, parameter]));
    assert.equal(byName.id.in, 'path');
    assert.equal(byName.id.required, true);
    for (const name of ['since', 'limit']) {
      assert.equal(byName[name].in, 'query');
      assert.equal(byName[name].required, false);
      assert.equal(byName[name].schema.type, 'string');
      assert.ok(new RegExp(byName[name].schema.pattern).test('42'));
      assert.ok(!new RegExp(byName[name].schema.pattern).test('-1'));
    }
  });

  it('marks mutating operations with bearerAuth and 401, and leaves reads open', () => {
    assert.equal(document.components.securitySchemes.bearerAuth.scheme, 'bearer');
    for (const [path, item] of Object.entries(document.paths) as Array<[string, Json]>) {
      for (const [method, operation] of Object.entries(item) as Array<[string, Json]>) {
        const mutating = method !== 'get';
        assert.equal(operation.security !== undefined, mutating, `${method} ${path}`);
        assert.equal(operation.responses['401'] !== undefined, mutating, `${method} ${path}`);
        for (const [status, response] of Object.entries(operation.responses) as Array<[string, Json]>) {
          if (Number(status) >= 400) assert.equal(response.content['application/json'].schema.$ref, '#/components/schemas/ErrorBody');
        }
      }
    }
  });

  it('lists the error catalogue with statuses', () => {
    assert.equal(document['x-error-codes'].invalid_json.status, 400);
    assert.equal(document['x-error-codes'].body_too_large.status, 413);
    assert.equal(document['x-error-codes'].unauthorized.status, 401);
    assert.equal(document['x-error-codes'].agent_not_found.status, 404);
  });
});
