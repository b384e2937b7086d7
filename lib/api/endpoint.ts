/**
 * An API endpoint's contract, written once: the route handler validates with it (through the
 * route wrapper in lib/http), and the public OpenAPI document is generated from it. Nothing else
 * describes a request or response, so the two cannot drift.
 */
import type { z } from 'zod';
import type { Verb } from '@/lib/access/verbs';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EndpointDefinition<
  TBody extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TParams extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  /** OpenAPI operationId, stable. */
  id: string;
  method: HttpMethod;
  /** OpenAPI-style path: `/api/v1/passports/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * Who may call it: `token` (CI bearer token), `session` (signed-in console user), both, or `public`
   * (no credentials, e.g. a workspace's public keys).
   */
  auth: 'token' | 'session' | 'token-or-session' | 'public';
  /** The verb the caller needs: a token's scope, or a member's role. Null only for `public`. */
  verb: Verb | null;
  /** JSON request body. */
  body?: TBody;
  /** A streamed, non-JSON body (evidence uploads): accepted media types and the size limit. */
  rawBody?: { mediaTypes: string[]; maxBytes: number };
  query?: TQuery;
  params?: TParams;
  /** Success status and body. */
  status: number;
  response: TResponse;
  /** A download rather than JSON (reports, envelopes): its media types; `response` then describes the bytes. */
  responseMediaTypes?: string[];
  /** Problem statuses this endpoint can answer besides the wrapper's own (401, 403, 429, 500). */
  errors: number[];
}

/** Identity function that keeps the literal types, so handlers get typed body, query and params. */
export function defineEndpoint<
  TBody extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TParams extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
>(definition: EndpointDefinition<TBody, TQuery, TParams, TResponse>): EndpointDefinition<TBody, TQuery, TParams, TResponse> {
  return definition;
}
