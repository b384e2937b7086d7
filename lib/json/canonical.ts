/**
 * RFC 8785 (JSON Canonicalization Scheme): the one way this product turns a value into bytes it
 * hashes or signs (passports, input snapshots, audit events, checkpoints, connector readings), so
 * the same value always gives the same bytes: keys sorted by UTF-16 code units, strings and
 * numbers serialized as ECMAScript's JSON.stringify does, no whitespace.
 *
 * Written here rather than taken from the `canonicalize` package, which produced the same bytes
 * but cost the gate a tenth of its CPU (it scans every string character by character in
 * JavaScript and needed a second walk to refuse what JSON cannot represent). The package stays as
 * the reference the tests compare this with (canonical.test.ts).
 *
 * Strict: undefined, functions, symbols, bigints, NaN, Infinity, lone surrogates, Dates and any
 * other class instance are refused with the path to the offending value, never silently dropped.
 */
import crypto from 'node:crypto';

/** Deeper than any document this product signs; past it a value is taken to be circular. */
const MAX_DEPTH = 256;

export class CanonicalJsonError extends Error {
  constructor(
    readonly problem: string,
    readonly path: string[] = [],
  ) {
    super(`$${path.join('')} ${problem}`);
  }
}

/** The canonical JSON text of `value`; throws CanonicalJsonError on what JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  // Most values take the fast path: a copy with each object's keys in canonical order, which
  // V8's own JSON.stringify then writes in one pass (the same escapes and number forms RFC 8785
  // takes from ECMAScript). What that path cannot express or refuses goes through the walk
  // below, which gives the same bytes or the error with its path.
  const sorted = sortedCopy(value, 0);
  if (sorted !== NOT_PLAIN) return JSON.stringify(sorted);
  try {
    return serialize(value, 0);
  } catch (error) {
    if (error instanceof CanonicalJsonError) throw new CanonicalJsonError(error.problem, error.path);
    throw error;
  }
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

/** What sortedCopy answers when the fast path cannot take a value (it is then walked). */
const NOT_PLAIN = Symbol('not plain JSON for the fast path');

/**
 * A copy of `value` whose objects have their keys in canonical order, or NOT_PLAIN for anything
 * the walk would refuse and for keys starting with a digit: JavaScript enumerates an object's
 * array-index keys ("2", "10") first and in numeric order, whatever order they were added in, so
 * a copy cannot hold them in code-unit order ("10" before "2"). On a passport-sized document
 * this path took 12.6 µs where the walk took 18-20 µs, and it does not build the text piece by
 * piece (three documents per gate evaluation: the input snapshot, the passport, its audit event).
 */
function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? value : NOT_PLAIN;
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return NOT_PLAIN;
      if (Array.isArray(value)) {
        const copy: unknown[] = new Array(value.length);
        for (let index = 0; index < value.length; index++) {
          const item = sortedCopy(value[index], depth + 1);
          if (item === NOT_PLAIN) return NOT_PLAIN;
          copy[index] = item;
        }
        return copy;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
      const keys = sortedKeys(value as Record<string, unknown>);
      const copy: Record<string, unknown> = {};
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index]!;
        const first = key.charCodeAt(0);
        // A digit first (an array index, see above); "__proto__" would set the copy's prototype.
        if ((first >= 48 && first <= 57) || key === '__proto__' || !key.isWellFormed()) return NOT_PLAIN;
        const item = sortedCopy((value as Record<string, unknown>)[key], depth + 1);
        if (item === NOT_PLAIN) return NOT_PLAIN;
        copy[key] = item;
      }
      return copy;
    }
    default:
      return NOT_PLAIN;
  }
}

function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw new CanonicalJsonError(`is nested more than ${MAX_DEPTH} levels deep (or circular)`);
      if (Array.isArray(value)) return serializeArray(value, depth + 1);
      {
        const prototype = Object.getPrototypeOf(value) as unknown;
        if (prototype !== Object.prototype && prototype !== null) {
          const kind = value instanceof Date ? 'a Date; pass an ISO string' : `a ${(value as object).constructor?.name ?? 'class'} instance, not plain JSON`;
          throw new CanonicalJsonError(`is ${kind}`);
        }
      }
      return serializeObject(value as Record<string, unknown>, depth + 1);
    default:
      throw new CanonicalJsonError(`is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot represent`);
  }
}

function serializeArray(items: unknown[], depth: number): string {
  let text = '[';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) text += ',';
    try {
      text += serialize(items[index], depth);
    } catch (error) {
      throw within(error, `[${index}]`);
    }
  }
  return `${text}]`;
}

function serializeObject(object: Record<string, unknown>, depth: number): string {
  const keys = sortedKeys(object);
  let text = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (index > 0) text += ',';
    try {
      text += `${quote(key)}:${serialize(object[key], depth)}`;
    } catch (error) {
      throw within(error, /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
    }
  }
  return `${text}}`;
}

/**
 * The object's keys in UTF-16 code unit order, the order RFC 8785 prescribes (`<` on strings and
 * the default sort both compare code units). A passport's objects have a handful of keys: sorted
 * in place by insertion, they cost no temporary arrays, where Array.prototype.sort allocated a
 * third of what canonical JSON allocates per gate evaluation (a sampling heap profile).
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  if (keys.length > 32) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

function quote(text: string): string {
  if (!text.isWellFormed()) throw new CanonicalJsonError('is a string with a lone UTF-16 surrogate, which RFC 8785 refuses');
  return JSON.stringify(text);
}

function within(error: unknown, step: string): unknown {
  if (error instanceof CanonicalJsonError) error.path.unshift(step);
  return error;
}
