/**
 * Secret references: the only way the product names a secret. `env:NAME` (an environment
 * variable), `file:/abs/path` (a mounted file: a Kubernetes or Docker secret, a SOPS or Vault
 * agent output), `store:path/in/store` (the encrypted store), `vault:mount/path#field` (a field of
 * a HashiCorp Vault KV v2 secret). A reference is safe to store, show and log; the value is looked
 * up only where it is used (resolveSecret).
 */
import path from 'node:path';
import { SecretError } from './errors';

export type SecretReference =
  | { scheme: 'env'; name: string; text: string }
  | { scheme: 'file'; path: string; text: string }
  | { scheme: 'store'; path: string; text: string }
  | { scheme: 'vault'; path: string; mount: string; secret: string; field: string; text: string };

export type SecretScheme = SecretReference['scheme'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// Letters, digits, ".", "_" and "-" (base64url key ids included), never "." or ".." alone.
const STORE_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/;
const MAX_STORE_DEPTH = 8;
const MAX_REFERENCE_LENGTH = 512;

/** Parses a reference; a malformed one is an `invalid-reference` error that says what is expected. */
export function parseSecretReference(text: string): SecretReference {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_REFERENCE_LENGTH) {
    throw invalid(text, 'a secret reference is env:NAME, file:/absolute/path, store:path or vault:mount/path#field');
  }
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon) : '';
  const rest = text.slice(colon + 1);
  switch (scheme) {
    case 'env':
      if (!ENV_NAME.test(rest)) throw invalid(text, 'env: takes a variable name (letters, digits, underscores)');
      return { scheme, name: rest, text };
    case 'file':
      if (!path.isAbsolute(rest) || rest.includes('\0') || path.normalize(rest) !== rest) {
        throw invalid(text, 'file: takes an absolute, normalized path (no "..", no "//")');
      }
      return { scheme, path: rest, text };
    case 'store': {
      const segments = rest.split('/');
      if (segments.length > MAX_STORE_DEPTH || !segments.every((segment) => STORE_SEGMENT.test(segment))) {
        throw invalid(
          text,
          `store: takes a path of up to ${MAX_STORE_DEPTH} segments of letters, digits, ".", "_" and "-" separated by "/" (e.g. store:production/prometheus-token)`,
        );
      }
      return { scheme, path: rest, text };
    }
    case 'vault': {
      const [location = '', field = '', extra] = rest.split('#');
      const segments = location.split('/');
      if (extra !== undefined || segments.length < 2 || segments.length > MAX_STORE_DEPTH + 1 || !segments.every((segment) => STORE_SEGMENT.test(segment)) || !/^[A-Za-z0-9._-]{1,128}$/.test(field)) {
        throw invalid(text, 'vault: takes <mount>/<path>#<field> of a KV version 2 secret (e.g. vault:kv/production/prometheus#token)');
      }
      return { scheme, path: location, mount: segments[0]!, secret: segments.slice(1).join('/'), field, text };
    }
    default:
      throw invalid(text, 'a secret reference starts with env:, file:, store: or vault:');
  }
}

export function isSecretReference(text: string): boolean {
  try {
    parseSecretReference(text);
    return true;
  } catch {
    return false;
  }
}

function invalid(text: unknown, expected: string): SecretError {
  // A malformed reference may be a value pasted by mistake: quote at most its scheme.
  const shown = typeof text === 'string' && /^(env|file|store|vault):/.test(text) && text.length <= MAX_REFERENCE_LENGTH ? `"${text}"` : 'this value';
  return new SecretError('invalid-reference', `${shown} is not a valid secret reference: ${expected}.`);
}
