/**
 * RFC 8785 (JSON Canonicalization Scheme) through the `canonicalize` package: the one way this
 * product turns a value into bytes it hashes or signs, so the same value always gives the same
 * bytes (sorted keys, ES number formatting, no whitespace).
 */
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

/** The canonical JSON text of `value`; throws on what JSON cannot represent (undefined, NaN, Infinity). */
export function canonicalJson(value: unknown): string {
  assertCanonicalizable(value, '$');
  const text = canonicalize(value);
  if (text === undefined) throw new Error('cannot canonicalize an undefined value');
  return text;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** sha256 (hex) of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalBytes(value));
}

function assertCanonicalizable(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, which JSON cannot represent`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertCanonicalizable(item, `${path}[${index}]`));
    return;
  }
  if (typeof value === 'object') {
    if (value instanceof Date) throw new Error(`${path} is a Date; pass an ISO string`);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new Error(`${path}.${key} is undefined`);
      assertCanonicalizable(item, `${path}.${key}`);
    }
    return;
  }
  throw new Error(`${path} is a ${typeof value}, which JSON cannot represent`);
}
