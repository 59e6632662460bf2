/**
 * The OpenAPI 3.1 description of the HTTP API (GET /api/openapi.json), generated from the same zod
 * schemas that validate requests (src/config/http-bodies.ts, src/config/agent-spec.ts) with zod 4's
 * `z.toJSONSchema` (JSON Schema 2020-12, OpenAPI 3.1's dialect), and from the app's own route table,
 * so docs and validation cannot drift. Request schemas are emitted in their input form (defaults
 * optional, query values as strings). Response schemas below are documentation only: the app sends
 * what the supervisor returns (SupervisorApi in supervisor-api.ts).
 */
import { z } from 'zod';
import { RUN_EVENT_KINDS } from '../run/events.ts';
import {
  agentIdSchema,
  agentPatchSchema,
  agentSpecBodySchema,
  emptyBodySchema,
  resetRequestSchema,
  windowsQueryInputSchema,
} from '../config/http-bodies.ts';
import { HTTP_ERRORS } from './errors.ts';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** What the document needs to know about one route (the app's route table carries these fields). */
export interface RouteDoc {
  method: HttpMethod;
  /** Express path, e.g. '/api/agents/:id/pause'. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** Needs the bearer token when one is configured. */
  authenticated: boolean;
  /** Component schema name of the JSON body; `bodyRequired` false means it may be omitted. */
  body?: ApiSchemaName;
  bodyRequired?: boolean;
  /** Component schema name of a query object whose properties become query parameters. */
  query?: ApiSchemaName;
  /** Success status → description and (optionally) component schema name or a media type of its own. */
  responses: Record<string, { description: string; schema?: ApiSchemaName; mediaType?: string }>;
  /** Error statuses this route may answer with (the body is always ErrorBody). */
  errors: number[];
}

// ---- response shapes (documentation) ------------------------------------------------------

const agentStateSchema = z.enum(['starting', 'running', 'paused', 'error', 'stopped']);

const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(HTTP_ERRORS) as [string, ...string[]]).or(z.string()).describe('Stable error code (see x-error-codes).'),
    message: z.string().describe('What was wrong and what was expected.'),
    details: z.unknown().optional().describe('For validation errors: the zod issues (path, message, code).'),
  }),
});

const agentSummarySchema = z.object({
  id: z.string(),
  state: agentStateSchema,
  reason: z.string().optional(),
  env: z.string().describe('Env id, or stream:<id> for supervised streams.'),
  agentKind: z.string(),
  steps: z.int(),
  episodes: z.int(),
  windows: z.int(),
  lastReturn: z.number().nullable(),
  lastCheckpointStep: z.int().nullable(),
  createdAt: z.string(),
  host: z.string().describe("Where it trains: 'local' (a thread of the daemon), a queue worker's name, or 'queued' (waiting for a worker)."),
});

const windowEventSchema = z.looseObject({
  kind: z.literal('window'),
  agent: z.string(),
  seq: z.int(),
  step: z.int(),
  time: z.number().describe('Wall clock, ms since the epoch.'),
  report: z.looseObject({
    window: z.int().describe('1-based window index.'),
    step: z.int(),
    networks: z.array(z.looseObject({})),
    layers: z.array(z.looseObject({})),
    performance: z.looseObject({}),
    audit: z.array(z.looseObject({})),
    durationSeconds: z.number(),
  }),
});

const agentDetailSchema = agentSummarySchema.extend({
  spec: z.unknown().describe('The stored AgentSpec.'),
  lastWindow: windowEventSchema.nullable(),
});

/** Every component schema of the document, by name. */
export const API_SCHEMAS = {
  AgentSpec: agentSpecBodySchema,
  AgentPatch: agentPatchSchema,
  ResetRequest: resetRequestSchema,
  EmptyBody: emptyBodySchema,
  WindowsQuery: windowsQueryInputSchema,
  AgentId: agentIdSchema,
  ErrorBody: errorBodySchema,
  AgentSummary: agentSummarySchema,
  AgentDetail: agentDetailSchema,
  AgentList: z.object({ agents: z.array(agentSummarySchema) }),
  WindowEvent: windowEventSchema,
  WindowList: z.object({ windows: z.array(windowEventSchema) }),
  CheckpointResult: z.object({ step: z.int(), eventSeq: z.int() }),
  ResetResult: z.object({ resets: z.int().describe('Units reset.') }),
  Info: z.object({ name: z.string(), version: z.string(), backend: z.string(), startedAt: z.string(), dataDir: z.string() }),
  Health: z.object({ status: z.string() }),
} as const;

export type ApiSchemaName = keyof typeof API_SCHEMAS;

const COMPONENT_PREFIX = '#/components/schemas/';

/** components.schemas: one JSON Schema per entry of API_SCHEMAS, cross-references as $ref. */
export function componentSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(API_SCHEMAS)) registry.add(schema as z.ZodType, { id });
  const generated = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  });
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    // Inside an OpenAPI document the dialect and location are the document's.
    const { $schema: _dialect, $id: _location, ...rest } = schema as Record<string, unknown>;
    schemas[id] = rest;
  }
  return schemas;
}

export interface OpenApiOptions {
  routes: readonly RouteDoc[];
  version: string;
  /** Whether this daemon was started with a token (mutating operations then list bearerAuth). */
  tokenRequired: boolean;
  /** Whether reads need the token too. */
  readsRequireToken?: boolean;
}

const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** Builds the whole OpenAPI 3.1 document. */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const schemas = componentSchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes) {
    const path = toOpenApiPath(route.path);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
    };
    const parameters: unknown[] = [];
    if (route.path.includes(':id')) {
      parameters.push({ name: 'id', in: 'path', required: true, description: 'Agent id.', schema: { $ref: `${COMPONENT_PREFIX}AgentId` } });
    }
    if (route.query !== undefined) {
      const query = schemas[route.query] as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
      }
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.body !== undefined) {
      operation.requestBody = {
        required: route.bodyRequired ?? true,
        content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}${route.body}` } } },
      };
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = response.schema === undefined && response.mediaType === undefined
        ? { description: response.description }
        : {
            description: response.description,
            content: { [response.mediaType ?? 'application/json']: { schema: response.schema === undefined ? { type: 'string' } : { $ref: `${COMPONENT_PREFIX}${response.schema}` } } },
          };
    }
    const errorStatuses = new Set(route.errors);
    const needsToken = options.tokenRequired && (route.authenticated || (options.readsRequireToken === true && route.path.startsWith('/api/')));
    if (needsToken) {
      errorStatuses.add(401);
      operation.security = [{ bearerAuth: [] }];
    }
    for (const status of [...errorStatuses].sort((a, b) => a - b)) {
      const codes = Object.entries(HTTP_ERRORS).filter(([, entry]) => entry.status === status).map(([code]) => code);
      responses[String(status)] = {
        description: `Error (${codes.join(', ') || 'see code'}).`,
        content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}ErrorBody` } } },
      };
    }
    operation.responses = responses;
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'plasticd',
      version: options.version,
      description:
        'Control and observe plasticd agents. Errors are `{ error: { code, message, details? } }` with the ' +
        'status listed in `x-error-codes`. When the daemon has a token, mutating operations need ' +
        '`Authorization: Bearer <token>`. Live events: the websocket feed at /feed (docs/feed-protocol.md); ' +
        `event kinds: ${RUN_EVENT_KINDS.join(', ')}.`,
    },
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The daemon token (PLASTICD_TOKEN / --token).' } },
    },
    'x-error-codes': Object.fromEntries(Object.entries(HTTP_ERRORS).map(([code, entry]) => [code, { status: entry.status, description: entry.description }])),
  };
}
