/**
 * THE route wrapper: every /api/v1 handler is one call of it (docs/architecture.md).
 *
 *   export const POST = withApi(evaluateGate, async (ctx) => evaluate(ctx.workspace, ctx.body));
 *
 * In order, for every request:
 *   1. request id: an incoming x-request-id is kept if it looks like one, else made; always echoed;
 *   2. authentication: `Authorization: Bearer rp_…` (or `DPoP rp_…` + a DPoP proof for bound
 *      tokens), or the console session cookie for `session` / `token-or-session` endpoints;
 *   3. workspace: a token's own workspace; a console caller names it with the `{workspace}` path
 *      parameter or the `RP-Workspace` header (a non-member gets 404); a token naming another
 *      workspace gets 403;
 *   4. permission: the endpoint's verb through can() (token scope, or the member's role);
 *   5. rate limit per credential (429 with Retry-After and RateLimit-* headers);
 *   6. zod parsing of params, query and JSON body (400 listing every field error), or the raw
 *      body stream with its media types and size limit (415, 413);
 *   7. token service / environment limits on the `service` and `environment` slugs the request
 *      names (the convention every endpoint follows), 403 outside them;
 *   8. the handler; its result is the JSON response with the endpoint's status;
 *   9. audit: one event per mutation (unless the handler audited it in its own transaction) and
 *      one per denial (401, 403, and the 404 a non-member gets).
 * ProblemError → problem+json; anything else → a 500 problem with the request id, no internals.
 */
import type { z } from 'zod';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { authorize, type MemberActor, type TokenActor } from '@/lib/access/can';
import type { Verb } from '@/lib/access/verbs';
import type { EndpointDefinition } from '@/lib/api/endpoint';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { runInRequestScope } from './request-scope';
import type { ActiveSession } from '@/lib/auth/sessions';
import { rateLimiter, rateLimitHeaders } from '@/lib/ratelimit';
import type { ApiTokenRecord, ApiTokenSummary } from '@/lib/tokens/store';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { auditActorOf, authenticate, WORKSPACE_HEADER, type Caller } from './authenticate';
import { clientAddress, fromTrustedProxy } from './client-address';
import { databaseAnswered, databaseUnavailableResponse, logFailedWrite } from './database-outage';
import { AccessDenied } from './denial';
import { logger } from './logger';
import { parseWith, queryObject, rawBodyStream, readJsonBody } from './parse';
import { problem, problemFromError, problemResponse, ProblemError, type FieldError } from './problem';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id';
import { configuredPublicUrl } from '@/lib/config/public-url';
import { plural } from '@/lib/text/plural';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = EndpointDefinition<any, any, any, any>;
/** The parsed value of an optional schema slot (`body?: TBody`): the schema's output type. */
type Parsed<T> = [Exclude<T, undefined>] extends [z.ZodType] ? z.output<Exclude<T, undefined>> : undefined;
type RouteParams = Record<string, string | string[] | undefined>;

export interface ApiContext<E extends AnyEndpoint> {
  request: Request;
  requestId: string;
  /** The client's address (see lib/http/client-address.ts). */
  ip: string | null;
  db: RuntimeDb;
  /** The caller inside the workspace: null only for `public` endpoints and verb-less session calls. */
  actor: MemberActor | TokenActor | null;
  /** The workspace the request acts in; null only where `actor` is null. */
  workspace: WorkspaceRef | null;
  /** The console session, for session callers. */
  session: ActiveSession | null;
  /** The API token, for token callers (never its secret or hash). */
  token: ApiTokenSummary | null;
  params: Parsed<E['params']>;
  query: Parsed<E['query']>;
  body: Parsed<E['body']>;
  /** The size-limited request stream of `rawBody` endpoints (null otherwise). Reading past the limit throws a 413 problem. */
  rawBody: ReadableStream<Uint8Array> | null;
  /** Who, from where, in which request: pass it to data-access functions that audit in their own transaction. */
  audit: AuditContext;
  /**
   * Refuses (403, audited) unless the actor may do `verb`, for one service / environment when
   * named. The wrapper already checked the endpoint's verb for the workspace as a whole.
   */
  authorize(verb: Verb, resource?: { service?: string | null; environment?: string | null }): void;
  /**
   * Refuses (403, audited) unless the actor may do the endpoint's own verb on a resource the
   * request addressed by id: its service and environment are known only once it is read.
   */
  authorizeResource(resource: { service?: string | null; environment?: string | null }): void;
  /** What the wrapper's mutation audit event names as the resource, with facts worth keeping. */
  auditResource(resource: { type: string; id?: string | null }, details?: Record<string, unknown>): void;
}

export type ApiHandler<E extends AnyEndpoint> = (ctx: ApiContext<E>) => Promise<z.input<E['response']> | Response> | z.input<E['response']> | Response;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function withApi<E extends AnyEndpoint>(endpoint: E, handler: ApiHandler<E>) {
  return async function route(request: Request, context?: { params?: Promise<RouteParams> | RouteParams }): Promise<Response> {
    const requestId = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
    const ip = clientAddress(request.headers);
    let caller: Caller | null = null;
    let db: RuntimeDb | null = null;
    let auditOverride: { resource: { type: string; id?: string | null }; details?: Record<string, unknown> } | null = null;
    const scope = runInRequestScope(requestId, async () => {
      db = await getRuntimeDb();
      const rawParams = ((await context?.params) ?? {}) as RouteParams;
      const named = namedWorkspace(request, rawParams);

      if (endpoint.auth !== 'public') {
        caller = await authenticate({ db, request, endpoint, namedWorkspace: named, ip, urls: candidateUrls(request) });
      }
      const actor = caller?.actor ?? null;
      const workspace = caller?.workspace ?? null;
      const auditContext: AuditContext = { actor: auditActorOf(caller), requestId, ip };

      if (endpoint.verb && actor && workspace) {
        const decision = authorize(actor, endpoint.verb, { workspaceId: workspace.id });
        if (!decision.allowed) throw denied(workspace.id, caller, decision.reason);
      }

      if (caller) {
        const key = caller.kind === 'token' ? `token:${caller.token.id}` : `user:${caller.session.user.id}`;
        const limit = await rateLimiter('api').limit(key);
        if (!limit.success) throw rateLimited(limit);
      }

      const [params, query, body] = await Promise.all([
        parseWith(endpoint.params, rawParams, 'params'),
        parseWith(endpoint.query, queryObject(new URL(request.url)), 'query'),
        endpoint.body ? readJsonBody(request).then((json) => parseWith(endpoint.body, json ?? {}, 'body')) : { value: undefined, errors: [] as FieldError[] },
      ]);
      const errors = [...params.errors, ...query.errors, ...body.errors];
      if (errors.length > 0) {
        throw new ProblemError('validation-failed', `The request has ${plural(errors.length, 'invalid field')}: ${errors.map((e) => e.path).join(', ')}.`, { errors });
      }
      const rawBody = endpoint.rawBody ? rawBodyStream(request, endpoint.rawBody) : null;

      const check = (verb: Verb, resource: { service?: string | null; environment?: string | null } = {}) => {
        if (!actor || !workspace) throw new ProblemError('forbidden', 'This request has no workspace to act in.');
        const decision = authorize(actor, verb, { workspaceId: workspace.id, ...resource });
        if (!decision.allowed) throw denied(workspace.id, caller, decision.reason);
      };
      if (endpoint.verb && actor) {
        const named = namedScope(params.value, query.value, body.value);
        if (named.service !== null || named.environment !== null) check(endpoint.verb, named);
      }

      const ctx: ApiContext<E> = {
        request,
        requestId,
        ip,
        db,
        actor,
        workspace,
        session: caller?.kind === 'session' ? caller.session : null,
        token: caller?.kind === 'token' ? withoutHash(caller.token) : null,
        params: params.value as Parsed<E['params']>,
        query: query.value as Parsed<E['query']>,
        body: body.value as Parsed<E['body']>,
        rawBody,
        audit: auditContext,
        authorize: check,
        authorizeResource: (resource) => {
          if (endpoint.verb) check(endpoint.verb, resource);
        },
        auditResource: (resource, details) => {
          auditOverride = { resource, details };
        },
      };
      const result = await handler(ctx);
      return result instanceof Response ? result : jsonResponse(endpoint, result);
    });

    let response: Response;
    try {
      response = await scope.result;
      if (MUTATING.has(request.method) && response.status < 400 && scope.appended() === 0 && db) {
        const resolved = caller as Caller | null;
        const override = auditOverride as { resource: { type: string; id?: string | null }; details?: Record<string, unknown> } | null;
        await appendAuditEvent(db, {
          actor: auditActorOf(resolved),
          requestId,
          ip,
          workspaceId: resolved?.workspace?.id ?? null,
          action: `api.${endpoint.id}`,
          resource: override?.resource ?? { type: 'endpoint', id: endpoint.path },
          outcome: 'allow',
          details: { method: request.method, path: new URL(request.url).pathname, status: response.status, ...override?.details },
        }).catch((error: unknown) => logFailedWrite(error, 'audit event for a mutation could not be written', { requestId }));
      }
      if (db) databaseAnswered();
    } catch (error) {
      response = await errorResponse(error, { request, requestId, ip, db, caller: caller as Caller | null, endpoint });
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  };
}

function withoutHash(record: ApiTokenRecord): ApiTokenSummary {
  const { tokenHash: _hash, ...summary } = record;
  return summary;
}

function jsonResponse(endpoint: AnyEndpoint, result: unknown): Response {
  if (process.env.NODE_ENV !== 'production' && endpoint.response) {
    // Contract drift is a bug: caught in development and tests, not paid for in production.
    const checked = (endpoint.response as z.ZodType).safeParse(result);
    if (!checked.success) throw new Error(`response of ${endpoint.id} does not match its schema: ${checked.error.message}`);
  }
  if (endpoint.status === 204) return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  return Response.json(result, { status: endpoint.status, headers: { 'cache-control': 'no-store' } });
}

function namedWorkspace(request: Request, params: RouteParams): string | null {
  const fromPath = params.workspace;
  if (typeof fromPath === 'string' && fromPath) return fromPath;
  const fromHeader = request.headers.get(WORKSPACE_HEADER)?.trim();
  return fromHeader ? fromHeader : null;
}

/** The `service` / `environment` slugs a request names, by the API's naming convention. */
function namedScope(...sources: unknown[]): { service: string | null; environment: string | null } {
  let service: string | null = null;
  let environment: string | null = null;
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    const record = source as Record<string, unknown>;
    if (typeof record.service === 'string') service ??= record.service;
    if (typeof record.environment === 'string') environment ??= record.environment;
  }
  return { service, environment };
}

/**
 * The URLs a DPoP proof may name (its htu). Never one a client chose: with RP_PUBLIC_URL (required
 * beyond loopback) only that address; without it (a loopback-only server) the request's own URL;
 * X-Forwarded-Host only from one of RP_TRUSTED_PROXIES.
 */
function candidateUrls(request: Request): string[] {
  const pathname = new URL(request.url).pathname;
  const urls: string[] = [];
  const publicUrl = configuredPublicUrl();
  if (publicUrl) {
    urls.push(new URL(pathname, publicUrl).toString());
  } else {
    urls.push(request.url);
  }
  const host = request.headers.get('x-forwarded-host');
  if (host && fromTrustedProxy(request.headers)) {
    const proto = request.headers.get('x-forwarded-proto') === 'http' ? 'http' : 'https';
    urls.push(`${proto}://${host}${pathname}`);
  }
  return urls;
}

function denied(workspaceId: string, caller: Caller | null, reason: string): AccessDenied {
  const detail = caller?.kind === 'token' ? `This API token is not allowed to do this: ${reason}.` : `You are not allowed to do this: ${reason}.`;
  return new AccessDenied('forbidden', detail, { workspaceId, actor: auditActorOf(caller), reason });
}

function rateLimited(limit: { limit: number; remaining: number; reset: number; success: boolean }): ProblemError {
  const headers = rateLimitHeaders(limit);
  return new ProblemError('rate-limited', `Too many requests: at most ${limit.limit} in this window. Retry after ${headers['retry-after']} s.`, { headers });
}

async function errorResponse(
  error: unknown,
  state: { request: Request; requestId: string; ip: string | null; db: RuntimeDb | null; caller: Caller | null; endpoint: AnyEndpoint },
): Promise<Response> {
  const { request, requestId, ip, db, endpoint } = state;
  if (error instanceof AccessDenied) {
    // Repeated failed authentication from one address is slowed down (token guessing); past the
    // limit the refusals are not audited one by one, so a flood cannot flood the audit log.
    if (error.status === 401) {
      const limit = await rateLimiter('authFailures').limit(`ip:${ip ?? 'unknown'}`);
      if (!limit.success) {
        logger.warn({ requestId, ip, path: new URL(request.url).pathname }, 'failed authentications over the limit: refused with 429');
        return problemResponse(problemFromError(rateLimited(limit)), { requestId, headers: rateLimitHeaders(limit) });
      }
    }
    if (db) {
      await appendAuditEvent(db, {
        actor: error.audit.actor,
        workspaceId: error.audit.workspaceId,
        requestId,
        ip,
        action: `api.${endpoint.id}`,
        resource: { type: 'endpoint', id: endpoint.path },
        outcome: 'deny',
        reason: error.audit.reason,
        details: { method: request.method, path: new URL(request.url).pathname, status: error.status },
      }).catch((failure: unknown) => logFailedWrite(failure, 'audit event for a denial could not be written', { requestId }));
    }
  }
  if (error instanceof ProblemError) {
    return problemResponse(problemFromError(error), { requestId, headers: error.headers });
  }
  if (clientWentAway(request, error)) {
    // Not our failure, and nobody reads the answer: an info line, not an error an operator chases.
    logger.info({ requestId, method: request.method, path: new URL(request.url).pathname }, 'the client closed the connection before its request was read');
    return problemResponse(problem('bad-request', 'The connection was closed before the request was read.'), { requestId });
  }
  // The database is down, restarting or too slow: 503 with Retry-After (the gate fails closed).
  const unavailable = databaseUnavailableResponse(error, { requestId, path: new URL(request.url).pathname });
  if (unavailable) return unavailable;
  logger.error({ err: error, requestId, method: request.method, path: new URL(request.url).pathname }, 'unhandled error in an API handler');
  return problemResponse(problem('internal', `Something went wrong on our side. Quote request id ${requestId} when you report it.`), { requestId });
}

/** The client disconnected mid-request: Node fails the body stream with its own "aborted" reset. */
function clientWentAway(request: Request, error: unknown): boolean {
  if (request.signal?.aborted) return true;
  return error instanceof Error && error.message === 'aborted' && (error as { code?: unknown }).code === 'ECONNRESET';
}
