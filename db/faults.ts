/**
 * How the database may fail, and how long anything waits on it. A release gate sits in every CI
 * pipeline: a wait on the database must end (server-side timeouts on every connection, a client
 * deadline on every transaction we send ourselves), and an unavailable database is named as such
 * (503 database-unavailable, docs/operations) instead of a 500 or a hang.
 */

import { settings } from '@/lib/config/settings';

export interface DatabaseTimeouts {
  /** Longest a statement may run on the server (Postgres statement_timeout). */
  statementMs: number;
  /** Longest a statement waits for a lock (Postgres lock_timeout). */
  lockMs: number;
  /** A session idle inside a transaction this long is ended by the server. */
  idleInTransactionMs: number;
  /** Longest a new connection may take to open (postgres.js connect_timeout). */
  connectSeconds: number;
}

const IDLE_IN_TRANSACTION_MS = 30_000;

/**
 * DATABASE_STATEMENT_TIMEOUT, DATABASE_LOCK_TIMEOUT, DATABASE_CONNECT_TIMEOUT: seconds (decimals
 * allowed), from the settings (a value that is not a positive number stops the start).
 */
export function databaseTimeouts(env: Readonly<Record<string, string | undefined>> = process.env): DatabaseTimeouts {
  const { statementMs, lockMs, connectSeconds } = settings(env).database;
  return { statementMs, lockMs, idleInTransactionMs: IDLE_IN_TRANSACTION_MS, connectSeconds };
}

/**
 * The client-side deadline of a transaction we send: the server ends a statement at its
 * statement_timeout, so waiting longer than that (plus a margin for the round trip) means the
 * connection is gone without the socket saying so.
 */
export function transactionDeadlineMs(): number {
  return databaseTimeouts().statementMs + 2_000;
}

/** The database could not be reached or did not answer in time: the request may be retried. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Rejects with DatabaseUnavailableError when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`The database did not answer ${what} within ${Math.round(ms / 100) / 10} s.`)), ms);
  });
  // A late failure of the abandoned promise is expected and must not become an unhandled rejection.
  promise.catch(() => {});
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// Node socket errors and postgres.js's own connection errors.
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

// SQLSTATEs that say "not now" rather than "your request is wrong".
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '53300', // too_many_connections
  '53100', // disk_full
  '53200', // out_of_memory
  '25006', // read_only_sql_transaction: a standby after a failover
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '58030', // io_error
  // The server that answers is not the one we were given (a failover to a replica restored without
  // our role or database, a port taken by another cluster while ours was down): nothing can be
  // decided, and the caller should retry, not treat it as a bug of the request.
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
]);

/** Why the database is unavailable, when `error` (or an error it wraps) says so; null otherwise. */
export function databaseUnavailableReason(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    // By name as well: Next bundles this module into several server chunks, each with its own copy
    // of the class, so an error made in one chunk is not an instanceof the class of another
    // (seen in the fault drill: a pool wait timeout answered 500 instead of 503).
    if (current instanceof DatabaseUnavailableError || (current as Error).name === 'DatabaseUnavailableError') return (current as Error).message;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_ERROR_CODES.has(code)) return `connection failed (${code})`;
      if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return `${(current as Error).message ?? 'database error'} (SQLSTATE ${code})`;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Whether `error` (or an error it wraps) is a data exception, SQLSTATE class 22: the database
 * refused a value (invalid text for its type, out of range). The caller's input, not an outage.
 */
export function isDataException(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Seconds a client should wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** DATABASE_URL as a log line may name it: user, host, port and database, never the password. */
export function redactedDatabaseUrl(url: string | null | undefined): string {
  if (!url) return '(no DATABASE_URL)';
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return '(a DATABASE_URL that is not a URL)';
  }
}
