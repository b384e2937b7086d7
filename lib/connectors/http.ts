/**
 * The one HTTP client of every connector: the scope check before anything is sent, the
 * credential added only to in-scope requests, a timeout per attempt, a few retries on transient
 * failures, no redirects (a redirect could lead a credential out of scope), bounded response
 * size, and only public addresses unless the operator allows others (./address-guard.ts), through
 * the operator's egress proxy when there is one. Errors say what was asked and what came back,
 * never the credential or the body.
 */
import { proxyFailure } from '@/lib/http/egress-proxy';
import { ConnectorAddressRefused, guardedFetch } from './address-guard';
import { assertInScope, type AllowedRequest } from './scope';

export class ConnectorError extends Error {
  /** HTTP status when the server answered, else null (network, timeout, bad body). */
  readonly status: number | null;
  readonly transient: boolean;

  constructor(message: string, status: number | null, transient: boolean) {
    super(message);
    this.name = 'ConnectorError';
    this.status = status;
    this.transient = transient;
  }
}

export interface ConnectorHttpOptions {
  /** The connector's name, in messages. */
  name: string;
  baseUrl: string;
  allowed: readonly AllowedRequest[];
  /** Adds the credential (Authorization...) to a request that passed the scope check. */
  authorize?: (headers: Headers) => void;
  headers?: Record<string, string>;
  timeoutMs: number;
  retries: number;
  /** Largest response body accepted. */
  maxBytes?: number;
}

export interface ConnectorResponse<T> {
  body: T;
  headers: Headers;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

export function connectorHttp(options: ConnectorHttpOptions) {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : options.baseUrl + '/');
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;

  async function getJson<T = unknown>(path: string, params: Record<string, string | readonly string[] | undefined> = {}): Promise<ConnectorResponse<T>> {
    const url = new URL(base.pathname.replace(/\/+$/, '') + path, base.origin);
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      for (const one of typeof value === 'string' ? [value] : value) url.searchParams.append(name, one);
    }
    // Before anything else: a request outside the scope is never sent.
    assertInScope(base, options.allowed, 'GET', url, options.name);
    const headers = new Headers({ accept: 'application/json', 'user-agent': 'release-passport-connector', ...options.headers });
    options.authorize?.(headers);

    let lastError: ConnectorError | undefined;
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(200 * 2 ** (attempt - 1), 2_000));
      try {
        return await attemptOnce<T>(url, headers);
      } catch (error) {
        lastError = error instanceof ConnectorError ? error : new ConnectorError(`GET ${url.pathname} failed: ${(error as Error).message}`, null, false);
        if (!lastError.transient) throw lastError;
      }
    }
    throw lastError!;
  }

  async function attemptOnce<T>(url: URL, headers: Headers): Promise<ConnectorResponse<T>> {
    const where = `GET ${url.origin}${url.pathname}`;
    let response: Response;
    try {
      // undici's fetch; its Response is the one Node's fetch returns.
      response = (await guardedFetch(url, { headers: Object.fromEntries(headers), redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) })) as unknown as Response;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const refused = error instanceof ConnectorAddressRefused ? error : cause instanceof ConnectorAddressRefused ? cause : null;
      if (refused) throw new ConnectorError(`${where}: ${refused.message}`, null, false);
      if ((error as Error).name === 'TimeoutError') throw new ConnectorError(`${where}: no answer within ${options.timeoutMs} ms`, null, true);
      const viaProxy = proxyFailure(error);
      throw new ConnectorError(`${where}: ${viaProxy ?? `cannot connect (${cause?.code ?? (error as Error).name})`}`, null, true);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new ConnectorError(`${where} answered a redirect (${response.status}); connectors do not follow redirects`, response.status, false);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const hint = response.status === 401 || response.status === 403 ? ' (check the credential and its permissions)' : '';
      throw new ConnectorError(`${where} answered ${response.status}${hint}`, response.status, TRANSIENT_STATUSES.has(response.status));
    }
    const text = await readLimited(response, maxBytes, where);
    try {
      return { body: JSON.parse(text) as T, headers: response.headers };
    } catch {
      throw new ConnectorError(`${where} did not answer JSON`, response.status, false);
    }
  }

  return { getJson, baseUrl: base };
}

async function readLimited(response: Response, maxBytes: number, where: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ConnectorError(`${where} answered more than ${Math.round(maxBytes / 1024 / 1024)} MiB`, response.status, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
