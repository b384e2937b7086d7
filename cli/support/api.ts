/**
 * The CLI's HTTP client for the runtime's /api/v1: the URL and token from flags or RP_URL /
 * RP_TOKEN, problem+json errors turned into messages a CI log reader can act on. No database
 * code: the CI gate path talks to the server only.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { productVersion } from '@/lib/version';

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

/** A failed API call: the server's problem (status, detail, request id) or the network error. */
export class ApiError extends Error {
  /** The gate could not answer: CI must not treat that as a pass. */
  readonly exitCode = EXIT.failed;
  constructor(
    message: string,
    readonly status: number | null,
    readonly problem: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  baseUrl: string;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  uploadFile<T>(path: string, file: string, contentType: string): Promise<T>;
}

export function connection(options: ConnectionOptions, { tokenRequired = true } = {}): { url: string; token: string | null } {
  const url = (options.url ?? process.env.RP_URL ?? '').replace(/\/+$/, '');
  if (!url) throw new UsageError('Name the Release Passport server with --url or RP_URL (e.g. https://passport.example.com).');
  const token = options.token ?? process.env.RP_TOKEN ?? null;
  if (tokenRequired && !token) throw new UsageError('Give an API token with --token or RP_TOKEN (create one under Settings → API tokens).');
  return { url, token };
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** Exit codes of the gate commands, as documented in the README. */
export const EXIT = { ok: 0, blocked: 1, usage: 2, failed: 3 } as const;

export function apiClient(options: ConnectionOptions, settings: { tokenRequired?: boolean } = {}): ApiClient {
  const { url, token } = connection(options, settings);
  const headers = (extra: Record<string, string>) => ({
    'user-agent': `rp/${productVersion}`,
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  async function send<T>(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; duplex?: boolean }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${url}${path}`, {
        method,
        headers: headers(init.headers ?? {}),
        body: init.body,
        ...(init.duplex ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, null);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      const problem = (body && typeof body === 'object' ? body : null) as Record<string, unknown> | null;
      const detail = typeof problem?.detail === 'string' ? problem.detail : text.slice(0, 300) || response.statusText;
      const fields = Array.isArray(problem?.errors) ? (problem.errors as Array<{ path: string; message: string }>).map((e) => `\n  ${e.path}: ${e.message}`).join('') : '';
      const requestId = response.headers.get('x-request-id');
      throw new ApiError(`${response.status} ${detail}${fields}${requestId ? ` (request id ${requestId})` : ''}`, response.status, problem);
    }
    return body as T;
  }
  return {
    baseUrl: url,
    json: (method, path, body) =>
      send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    uploadFile: (path, file, contentType) => {
      const size = fs.statSync(file).size;
      // Streamed from disk: a large SBOM is never read into memory here either.
      const body = Readable.toWeb(fs.createReadStream(file)) as unknown as BodyInit;
      return send('POST', path, { body, headers: { 'content-type': contentType, 'content-length': String(size) }, duplex: true });
    },
  };
}
