/**
 * The CLI's HTTP client for the runtime's /api/v1: the URL and token from flags or RP_URL /
 * RP_TOKEN, problem+json errors turned into messages a CI log reader can act on. No database
 * code: the CI gate path talks to the server only.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { productVersion } from '@/lib/version';
import { ciIdentityAvailable, CiIdentityError, exchangeCiIdentity } from './ci-token';
import { cliFetch, networkReason } from './http';

export interface ConnectionOptions {
  url?: string;
  token?: string;
  /** Seconds one request may take (--timeout, RP_TIMEOUT; default 60). */
  timeout?: string;
  /** Seconds the command's calls may take in all, retries and waits included (--deadline, RP_DEADLINE; default 300). */
  deadline?: string;
}

/** A failed API call: the server's problem (status, detail, request id) or the network error. */
export class ApiError extends Error {
  /** The gate could not answer: CI must not treat that as a pass. */
  readonly exitCode = EXIT.failed;
  constructor(
    message: string,
    readonly status: number | null,
    readonly problem: Record<string, unknown> | null = null,
    /** The request cannot have reached the server (TLS refused, the file unreadable): nothing was recorded. */
    readonly unsent = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  baseUrl: string;
  json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  uploadFile<T>(path: string, file: string, contentType: string): Promise<T>;
}

export function connection(options: ConnectionOptions, { tokenRequired = true } = {}): { url: string; token: string | null } {
  const url = (options.url ?? process.env.RP_URL ?? '').replace(/\/+$/, '');
  if (!url) throw new UsageError('Name the Release Passport server with --url or RP_URL (e.g. https://passport.example.com).');
  // A typo here is not a network failure: retrying it until the deadline would hold CI for minutes.
  if (!isHttpUrl(url)) throw new UsageError(`--url or RP_URL "${url}" is not an http(s) address; give the server's address, e.g. https://passport.example.com.`);
  const token = options.token ?? process.env.RP_TOKEN ?? null;
  if (tokenRequired && !token && !ciIdentityAvailable()) {
    throw new UsageError('Give an API token with --token or RP_TOKEN (create one under Settings → API tokens), or run in GitHub Actions / GitLab CI with a trust policy (see the CI identity docs).');
  }
  return { url, token };
}

function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/**
 * A file the command reads (evidence, an artifact, a passport, a key) exists, is a file and can be
 * read: checked before anything is asked, so a folder or a private file is a usage mistake (exit
 * 2) and not, as reading it during an upload made it, a "cannot reach" retried until the deadline.
 */
export function assertReadableFile(file: string, flag?: string): void {
  const named = flag ? `${flag} ${file}` : file;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${named}: no such file`);
  }
  if (stat.isDirectory()) throw new UsageError(`${named} is a folder, not a file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw new UsageError(`${named}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'INVALID_CA',
]);

/** What a TLS failure means for the person reading the CI log, or null when it is not one that repeats. */
export function tlsProblem(code: string, url: string): string | null {
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return `the TLS certificate of ${url} is not trusted on this machine (${code}): if your own CA signed it, give it to rp with NODE_EXTRA_CA_CERTS=/path/to/ca.pem`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the TLS certificate of ${url} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (${code}): the server's operator must renew it`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the TLS certificate of ${url} is not for that host name (${code}): use the name the certificate is for in --url or RP_URL`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `${url} does not answer TLS on that port (${code}): use http:// for a plain port, or the server's TLS port`;
  return null;
}

/** Errors of reading a local file, as a streamed upload's body reports them. */
const LOCAL_FILE_ERRORS = new Set(['EISDIR', 'EACCES', 'EPERM', 'ENOENT', 'EIO', 'EMFILE', 'ENFILE']);

/** Exit codes of the gate commands, as documented in the README. */
export const EXIT = { ok: 0, blocked: 1, usage: 2, failed: 3 } as const;

/** Rethrows an upload's error naming the flag and the file it came through ("--sbom bom.xml: 422 ..."). */
export function namingFile(flag: string, file: string): (error: Error) => never {
  return (error) => {
    error.message = `${flag} ${file}: ${error.message}`;
    throw error;
  };
}

export interface RetrySettings {
  timeoutMs: number;
  deadlineMs: number;
}

export function retrySettings(options: ConnectionOptions, env: Record<string, string | undefined> = process.env): RetrySettings {
  const seconds = (value: string | undefined, name: string, fallback: number) => {
    if (value === undefined || value === '') return fallback * 1000;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`${name} "${value}" is not a number of seconds greater than 0.`);
    return parsed * 1000;
  };
  return {
    timeoutMs: seconds(options.timeout ?? env.RP_TIMEOUT, '--timeout', 60),
    deadlineMs: seconds(options.deadline ?? env.RP_DEADLINE, '--deadline', 300),
  };
}

/**
 * Answers worth asking again: the server or a dependency is briefly unavailable (503: database or
 * storage; 502/504: a proxy in front of a restarting server), or asked us to slow down (429). Every
 * other answer is final: 4xx is the request's own mistake, 507 needs an operator.
 */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;

/** Exponential backoff with jitter (half fixed, half random), so retrying clients spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

interface SendInit {
  /** Made anew for every attempt (a stream cannot be sent twice). */
  body?: () => BodyInit;
  headers?: Record<string, string>;
  duplex?: boolean;
}

type Attempt =
  | { ok: true; body: unknown }
  | { ok: false; retryable: boolean; summary: string; message: string; status: number | null; problem: Record<string, unknown> | null; waitMs: number | null; unsent?: boolean };

export function apiClient(options: ConnectionOptions, settings: { tokenRequired?: boolean; log?: (line: string) => void } = {}): ApiClient {
  const { url, token: given } = connection(options, settings);
  const { timeoutMs, deadlineMs } = retrySettings(options);
  // Without a stored token, the job's CI identity is exchanged once, on the first call.
  let exchanged: Promise<string> | null = null;
  const tokenFor = async (): Promise<string | null> => {
    if (given || settings.tokenRequired === false) return given;
    exchanged ??= exchangeCiIdentity(url).catch((error: unknown) => {
      throw error instanceof CiIdentityError ? new ApiError(error.message, null, null, true) : error;
    });
    return exchanged;
  };
  // One deadline for the whole command (uploads and the gate call alike): CI waits this long, no longer.
  const deadline = Date.now() + deadlineMs;
  const log = settings.log ?? ((line: string) => console.error(line));
  const headers = (token: string | null, extra: Record<string, string>) => ({
    'user-agent': `rp/${productVersion}`,
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  async function attempt(method: string, path: string, init: SendInit, limitMs: number): Promise<Attempt> {
    const token = await tokenFor();
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(limitMs);
      response = await cliFetch(`${url}${path}`, {
        method,
        headers: headers(token, init.headers ?? {}),
        body: init.body?.(),
        signal,
        ...(init.duplex ? { duplex: 'half' } : {}),
      } as RequestInit);
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        const message = `no answer from ${url} within ${formatSeconds(limitMs)}`;
        return { ok: false, retryable: true, summary: 'timeout', message, status: null, problem: null, waitMs: null };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = networkReason(error);
      // Reading the file being sent failed (it changed after the check): not the network, not worth retrying.
      if (init.duplex && cause?.code && LOCAL_FILE_ERRORS.has(cause.code)) {
        return { ok: false, retryable: false, summary: reason, message: `could not read the file being sent (${reason})`, status: null, problem: null, waitMs: null, unsent: true };
      }
      // A certificate this machine does not trust, or TLS to a port without it: the same on every attempt.
      const tls = cause?.code ? tlsProblem(cause.code, url) : null;
      if (tls) return { ok: false, retryable: false, summary: reason, message: tls, status: null, problem: null, waitMs: null, unsent: true };
      return { ok: false, retryable: true, summary: reason, message: `cannot reach ${url}: ${reason}`, status: null, problem: null, waitMs: null };
    }
    let body: unknown;
    let json = true;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
      json = false;
    }
    // A 2xx that is not JSON is someone else's page (a proxy's sign-in, a wrong address): not an answer.
    if (response.ok && !json) {
      return { ok: false, retryable: false, summary: `${response.status} not JSON`, message: `${response.status} ${notOurAnswer(response, text, `${url}${path}`)}`, status: response.status, problem: null, waitMs: null };
    }
    if (response.ok) return { ok: true, body };
    const problem = (body && typeof body === 'object' ? body : null) as Record<string, unknown> | null;
    const detail = typeof problem?.detail === 'string' ? problem.detail : notOurAnswer(response, text, `${url}${path}`);
    const fields = Array.isArray(problem?.errors) ? (problem.errors as Array<{ path: string; message: string }>).map((e) => `\n  ${e.path}: ${e.message}`).join('') : '';
    const requestId = response.headers.get('x-request-id');
    const code = typeof problem?.code === 'string' ? ` ${problem.code}` : '';
    return {
      ok: false,
      retryable: RETRYABLE_STATUSES.has(response.status),
      summary: `${response.status}${code}`,
      message: `${response.status} ${detail}${fields}${requestId ? ` (request id ${requestId})` : ''}`,
      status: response.status,
      problem,
      waitMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }

  /**
   * An error answer that is not the API's problem+json: a proxy's or another server's page. Its
   * HTML says nothing to a CI log reader; what does is where it came from.
   */
  function notOurAnswer(response: Response, text: string, address: string): string {
    const type = response.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
    const line = type === 'text/plain' ? text.trim().split('\n')[0]!.slice(0, 200) : '';
    const what = `${response.statusText || 'error'} (${type}${line ? `: ${line}` : ''})`;
    return `${what} from ${address}, which is not an answer of the Release Passport API: check that --url or RP_URL is the runtime's address, or what stands in front of it`;
  }

  /** One call: attempts until an answer, a final error, or the deadline; each retry is logged. */
  async function send<T>(method: string, path: string, init: SendInit): Promise<T> {
    const started = Date.now();
    const failures: string[] = [];
    for (let number = 1; ; number++) {
      const result = await attempt(method, path, init, Math.max(1, Math.min(timeoutMs, deadline - Date.now())));
      if (result.ok) return result.body as T;
      if (!result.retryable) throw new ApiError(result.message, result.status, result.problem, result.unsent);
      failures.push(result.summary);
      const wait = result.waitMs ?? backoffMs(number);
      const left = deadline - Date.now();
      if (wait >= left) {
        const elapsed = formatSeconds(Date.now() - started);
        const why = result.waitMs !== null && result.waitMs >= left ? `; the server asked to wait ${formatSeconds(result.waitMs)}, past the deadline` : '';
        throw new ApiError(
          `gave up on ${method} ${path} after ${number} attempt${number === 1 ? '' : 's'} in ${elapsed} (deadline ${formatSeconds(deadlineMs)}, --deadline to change)${why}: ${tally(failures)}; last: ${result.message}`,
          result.status,
          result.problem,
        );
      }
      log(`rp: ${method} ${path}: ${result.message}; retrying in ${formatSeconds(wait)} (attempt ${number + 1}, ${formatSeconds(left)} left)`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  return {
    baseUrl: url,
    json: (method, path, body, extra = {}) =>
      send(method, path, body === undefined ? { headers: extra } : { body: () => JSON.stringify(body), headers: { 'content-type': 'application/json', ...extra } }),
    uploadFile: (path, file, contentType) => {
      const size = fs.statSync(file).size;
      // Streamed from disk, anew for each attempt: a large SBOM is never read into memory here either.
      const body = () => Readable.toWeb(fs.createReadStream(file)) as unknown as BodyInit;
      return send('POST', path, { body, headers: { 'content-type': contentType, 'content-length': String(size) }, duplex: true });
    },
  };
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** "503 database-unavailable ×3, ECONNREFUSED ×1" */
function tally(failures: string[]): string {
  const counts = new Map<string, number>();
  for (const failure of failures) counts.set(failure, (counts.get(failure) ?? 0) + 1);
  return [...counts].map(([failure, count]) => `${failure} ×${count}`).join(', ');
}
