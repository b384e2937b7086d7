/**
 * A value as it reads back after JSON.stringify and a jsonb round trip, in one walk: toJSON()
 * applied (Dates become ISO strings), undefined, functions and symbols dropped from objects and
 * null in arrays, NaN and Infinity null, bigints decimal strings, lone UTF-16 surrogates replaced
 * with U+FFFD (neither RFC 8785 nor Postgres text admits them). For what callers and outside
 * systems hand us (audit details, connector readings) before it is hashed or stored: writing it
 * must never fail because of what they sent.
 */
export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

const MAX_DEPTH = 256;

export function plainJson(value: unknown): PlainJson {
  const plain = convert(value, 0);
  return plain === undefined ? null : plain;
}

function convert(value: unknown, depth: number): PlainJson | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return value.toWellFormed();
    case 'number':
      return Number.isFinite(value) ? value + 0 : null; // + 0: -0 is 0 in JSON
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_DEPTH) throw new Error(`a value nested more than ${MAX_DEPTH} levels deep (or circular) cannot be stored as JSON`);
      if (Array.isArray(value)) return value.map((item) => convert(item, depth + 1) ?? null);
      const result: Record<string, PlainJson> = {};
      for (const key of Object.keys(value)) {
        const item = convert((value as Record<string, unknown>)[key], depth + 1);
        if (item === undefined) continue;
        const plainKey = key.toWellFormed();
        // A "__proto__" key a caller sent stays a plain key (as JSON.parse makes it) instead of
        // setting the result's prototype; every other key is assigned, the cheaper way to add one.
        if (plainKey === '__proto__') Object.defineProperty(result, plainKey, { value: item, enumerable: true, writable: true, configurable: true });
        else result[plainKey] = item;
      }
      return result;
    }
    default:
      return undefined; // undefined, functions and symbols: JSON leaves them out
  }
}
