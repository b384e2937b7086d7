import type { JsonPathSegment, JsonScanHandler, JsonStringToken } from '../json-scanner';

/** A JSON evidence reader: fed by the scanner, then asked for its summary (or a 422 reason). */
export interface JsonSummarizer<TSummary> extends JsonScanHandler {
  finish(): TSummary;
}

/** Sends every scanner event to each handler in turn. */
export function fanOut(...handlers: JsonScanHandler[]): Required<JsonScanHandler> {
  const strings = handlers.filter((handler) => handler.string);
  const primitives = handlers.filter((handler) => handler.primitive);
  const opens = handlers.filter((handler) => handler.open);
  const closes = handlers.filter((handler) => handler.close);
  return {
    string(path: readonly JsonPathSegment[], token: JsonStringToken) {
      for (const handler of strings) handler.string!(path, token);
    },
    primitive(path, value, start, end) {
      for (const handler of primitives) handler.primitive!(path, value, start, end);
    },
    open(path, type) {
      for (const handler of opens) handler.open!(path, type);
    },
    close(path, type) {
      for (const handler of closes) handler.close!(path, type);
    },
  };
}

/** Tracks the type of the document's root value. */
export class RootType implements JsonScanHandler {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | undefined;
  open(path: readonly JsonPathSegment[], type: 'object' | 'array'): void {
    if (path.length === 0) this.type = type;
  }
  string(path: readonly JsonPathSegment[]): void {
    if (path.length === 0) this.type = 'string';
  }
  primitive(path: readonly JsonPathSegment[], value: number | boolean | null): void {
    if (path.length === 0) this.type = value === null ? 'null' : (typeof value as 'number' | 'boolean');
  }
}

/** Increments a counter in a plain record (sorted later for deterministic output). */
export function tally(record: Record<string, number>, key: string, limit = 1000): void {
  if (key in record || Object.keys(record).length < limit) record[key] = (record[key] ?? 0) + 1;
}

export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
