/**
 * RFC 9457 problem details: every API error is `application/problem+json` with a message a
 * person can act on and the request id to quote to support. Edge-safe.
 */
import { REQUEST_ID_HEADER } from './request-id';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://releasepassport.com/docs/errors#';

export type ProblemCode =
  | 'bad-request'
  | 'validation-failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'rate-limited'
  | 'license-required'
  | 'not-ready'
  | 'database-unavailable'
  | 'internal'
  | 'storage-full'
  | 'storage-unavailable'
  | 'idempotency-key-reused';

const TITLES: Record<ProblemCode, [number, string]> = {
  'bad-request': [400, 'Bad request'],
  'validation-failed': [400, 'The request is not valid'],
  unauthorized: [401, 'Authentication required'],
  forbidden: [403, 'Not allowed'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  unprocessable: [422, 'The document could not be processed'],
  'rate-limited': [429, 'Too many requests'],
  'license-required': [402, 'License required'],
  'not-ready': [503, 'Not ready'],
  'database-unavailable': [503, 'Database unavailable'],
  internal: [500, 'Internal error'],
  'storage-full': [507, 'Evidence storage is full'],
  'storage-unavailable': [503, 'Evidence storage is unavailable'],
  'idempotency-key-reused': [422, 'Idempotency key already used for another request'],
};

/** Every code, for the documentation's check that each one is explained. */
export const PROBLEM_CODES = Object.keys(TITLES) as ProblemCode[];

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown anywhere below a route handler; the route wrapper turns it into a response. */
export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.code = code;
    this.status = TITLES[code][0];
    this.errors = options.errors;
    this.headers = options.headers;
    this.extensions = options.extensions;
  }
}

export function problem(code: ProblemCode, detail: string, extra: Partial<Problem> = {}): Problem {
  const [status, title] = TITLES[code];
  return { type: PROBLEM_BASE + code, title, status, detail, code, ...extra };
}

export function problemResponse(
  body: Problem,
  init: { requestId?: string; headers?: Record<string, string> } = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', PROBLEM_CONTENT_TYPE);
  headers.set('cache-control', 'no-store');
  if (init.requestId) {
    headers.set(REQUEST_ID_HEADER, init.requestId);
    body = { ...body, requestId: init.requestId };
  }
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

export function problemFromError(error: ProblemError): Problem {
  return problem(error.code, error.message, { errors: error.errors, ...error.extensions });
}
