/**
 * Every failure of the secrets layer. Messages name the reference (`store:production/db`), the
 * source or the key fingerprint, never a value: they end up in logs, problem+json bodies and the
 * CLI's output.
 */
export type SecretErrorCode =
  /** The reference is not `env:NAME`, `file:/path` or `store:path`, or breaks their syntax. */
  | 'invalid-reference'
  /** Nothing is set there (unset variable, missing file, no store entry). */
  | 'not-set'
  /** The path policy does not let this flow read it. */
  | 'denied'
  /** The ciphertext failed authentication: altered, truncated, or moved from another path. */
  | 'tampered'
  /** The store was encrypted under another key than the configured one. */
  | 'key-mismatch'
  /** The key source is missing or malformed (wrong length, unreadable file, two sources set). */
  | 'key-source'
  /** The source exists but cannot be read (permissions, too large, not a file). */
  | 'unreadable'
  /** This operation needs a store the current target or scope does not have. */
  | 'unsupported';

export class SecretError extends Error {
  readonly code: SecretErrorCode;
  /** The reference concerned, when there is one: safe to show. */
  readonly reference?: string;

  constructor(code: SecretErrorCode, message: string, reference?: string) {
    super(message);
    this.name = 'SecretError';
    this.code = code;
    this.reference = reference;
  }
}

/**
 * A failure below the secrets layer (the database) as a SecretError. Query errors of the
 * database driver quote their parameters, envelopes included: keep only the root cause's message.
 */
export function storeFailure(error: unknown, what: string): SecretError {
  if (error instanceof SecretError) return error;
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new SecretError('unreadable', `${what} failed: ${message}`);
}
