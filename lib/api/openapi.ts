/**
 * The public OpenAPI 3.1 document, generated from the endpoint definitions the route wrapper
 * validates with (lib/api/registry.ts): one source, so the reference cannot describe a request the
 * server would refuse or miss one it serves. Nothing here is written by hand per endpoint.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { verbToScope } from '@/lib/access/verbs';
import { PROBLEM_CODES, type ProblemCode } from '@/lib/http/problem';
import type { EndpointDefinition } from './endpoint';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;


const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A URL naming the kind of problem; its fragment is `code`.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong and what to do about it, for a person.' }),
    code: z.enum(PROBLEM_CODES as [ProblemCode, ...ProblemCode[]]),
    requestId: z.string().optional().meta({ description: 'Quote it to support; also in the x-request-id header.' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'Field errors of a request that failed validation.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, served as application/problem+json.' });

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'The request is not valid (problem+json with field errors).',
  401: 'No valid credentials: missing, malformed, unknown, expired or revoked token, or no session.',
  402: 'A license with production entitlement is required.',
  403: 'The credentials do not allow this: token scope, service or environment limits, or role.',
  404: 'Not found (also for workspaces the caller does not belong to).',
  409: 'Conflict with the current state.',
  413: 'The body is larger than this endpoint accepts.',
  415: 'The body has a media type this endpoint does not accept.',
  422: 'The document could not be processed.',
  429: 'Rate limited: retry after the Retry-After header.',
  500: 'Internal error: nothing was changed; quote the request id.',
  503: 'Not ready: the server or a dependency is not available.',
  507: 'Evidence storage is full: nothing was stored; an operator must free or add space.',
};

/** Statuses the route wrapper itself may answer, besides each endpoint's own. */
function wrapperStatuses(endpoint: EndpointDefinition): number[] {
  const statuses = [429, 500];
  if (endpoint.auth !== 'public') statuses.push(401, 403);
  if (endpoint.body || endpoint.query || endpoint.params || endpoint.rawBody) statuses.push(400);
  if (endpoint.rawBody) statuses.push(413, 415);
  return statuses;
}

function security(endpoint: EndpointDefinition): RouteConfig['security'] {
  const scopes = endpoint.verb ? [verbToScope(endpoint.verb)] : [];
  switch (endpoint.auth) {
    case 'public':
      return [];
    case 'token':
      return [{ apiToken: scopes }];
    case 'session':
      return [{ session: [] }];
    case 'token-or-session':
      return [{ apiToken: scopes }, { session: [] }];
  }
}

function describeAccess(endpoint: EndpointDefinition): string {
  if (endpoint.auth === 'public') return 'No credentials needed.';
  const who = { token: 'an API token', session: 'a signed-in console session', 'token-or-session': 'an API token or a signed-in console session' }[endpoint.auth];
  return endpoint.verb ? `Needs ${who} with the \`${verbToScope(endpoint.verb)}\` permission.` : `Needs ${who}.`;
}

function objectOrUndefined(schema: z.ZodType | undefined, what: string, id: string): z.ZodObject | undefined {
  if (!schema) return undefined;
  if (!(schema instanceof z.ZodObject)) throw new Error(`endpoint ${id}: ${what} must be a z.object(...) to become OpenAPI parameters`);
  return schema;
}

export function buildOpenApiDocument(endpoints: readonly EndpointDefinition[], options: { version: string }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'rp_…',
    description:
      'An API token created in the console (Settings → API tokens), sent as `Authorization: Bearer rp_…`. ' +
      'Tokens are scoped to permissions (the scopes listed per operation) and optionally to services and environments, and expire.',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'authjs.session-token',
    description: 'The console session of a signed-in member (browser use).',
  });
  const problem = problemSchema;
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.id)) throw new Error(`two endpoints share the id ${endpoint.id}`);
    seen.add(endpoint.id);
    const problemResponse = (status: number) => ({ description: STATUS_TEXT[status] ?? 'Problem', content: { 'application/problem+json': { schema: problem } } });
    const errorStatuses = [...new Set([...endpoint.errors, ...wrapperStatuses(endpoint)])].sort((a, b) => a - b);
    registry.registerPath({
      operationId: endpoint.id,
      method: endpoint.method.toLowerCase() as RouteConfig['method'],
      path: endpoint.path,
      summary: endpoint.summary,
      description: [endpoint.description, describeAccess(endpoint)].filter(Boolean).join('\n\n'),
      tags: endpoint.tags,
      security: security(endpoint),
      request: {
        params: objectOrUndefined(endpoint.params, 'params', endpoint.id),
        query: objectOrUndefined(endpoint.query, 'query', endpoint.id),
        body: endpoint.body
          ? { required: true, content: { 'application/json': { schema: endpoint.body } } }
          : endpoint.rawBody
            ? {
                required: true,
                description: `At most ${endpoint.rawBody.maxBytes} bytes.`,
                content: Object.fromEntries(endpoint.rawBody.mediaTypes.map((type) => [type, { schema: z.string().meta({ format: 'binary' }) }])),
              }
            : undefined,
      },
      responses: {
        [endpoint.status]:
          endpoint.status === 204
            ? { description: STATUS_TEXT[204]! }
            : { description: STATUS_TEXT[endpoint.status] ?? 'Success', content: Object.fromEntries((endpoint.responseMediaTypes ?? ['application/json']).map((type) => [type, { schema: endpoint.response }])) },
        ...Object.fromEntries(errorStatuses.map((status) => [status, problemResponse(status)])),
      },
    });
  }
  const tags = [...new Set(endpoints.flatMap((endpoint) => endpoint.tags))].sort().map((name) => ({ name }));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Release Passport API',
      version: options.version,
      description:
        'The API of a Release Passport runtime, served by your own installation under `/api/v1`. ' +
        'CI pipelines call it with an API token (usually through the `rp` CLI). Errors are RFC 9457 problem details; ' +
        'every response carries an `x-request-id` header (send your own to correlate logs).',
    },
    servers: [
      {
        url: 'https://{runtime}',
        description: 'Your Release Passport runtime',
        variables: { runtime: { default: 'releases.example.com', description: 'The address of your own installation' } },
      },
    ],
    tags,
  });
}
