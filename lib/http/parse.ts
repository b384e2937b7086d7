/**
 * Request parsing for the route wrapper: path parameters, query and JSON body through the
 * endpoint's zod schemas (a 400 problem lists every field error), and size-limited raw bodies
 * (a 413 problem as soon as the limit is crossed, without buffering the body).
 */
import { z } from 'zod';
import type { FieldError } from './problem';
import { ProblemError } from './problem';

/** JSON bodies larger than this are refused (raw uploads declare their own limit). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export function fieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export async function parseWith<T extends z.ZodType>(schema: T | undefined, value: unknown, prefix: string): Promise<{ value: z.output<T> | undefined; errors: FieldError[] }> {
  if (!schema) return { value: undefined, errors: [] };
  const unstorable = unstorableValues(value, prefix);
  if (unstorable.length > 0) return { value: undefined, errors: unstorable };
  const result = parsedNow(schema, value) ?? (await schema.safeParseAsync(value));
  return result.success ? { value: result.data, errors: [] } : { value: undefined, errors: fieldErrors(result.error, prefix) };
}

/**
 * Synchronous parsing where the schema allows it (none of ours has an asynchronous refinement
 * today): zod compiles a synchronous parser for each object schema, where its asynchronous one
 * walks the generic path and makes promises. In a CPU profile of the server under load the gate's
 * body took 69 µs to parse asynchronously and 45 µs synchronously
 * (content/docs/operations/performance.md). Null when the schema needs the asynchronous parser.
 */
function parsedNow<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> | null {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return null;
    throw error;
  }
}

/** Query string to an object; a repeated key becomes an array. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function mediaTypeOf(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function declaredLength(request: Request): number | null {
  const value = request.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

function tooLarge(limit: number): ProblemError {
  return new ProblemError('payload-too-large', `The request body is larger than the limit of ${formatBytes(limit)}.`, { extensions: { limitBytes: limit } });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * A compressed body (Content-Encoding: gzip...) would otherwise be read as its compressed bytes and
 * refused as "not valid JSON" or "binary": say what is wrong instead (415, RFC 7694).
 */
function refuseContentEncoding(request: Request): void {
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return;
  throw new ProblemError('unsupported-media-type', `This server does not accept compressed request bodies (Content-Encoding: ${encoding}): send the body uncompressed.`, {
    headers: { 'accept-encoding': 'identity' },
  });
}

/** Reads a JSON body (up to the limit) and returns the parsed value; undefined when the body is empty. */
export async function readJsonBody(request: Request, limit = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  const length = declaredLength(request);
  if (length !== null && length > limit) throw tooLarge(limit);
  if (!request.body) return undefined;
  refuseContentEncoding(request);
  const type = mediaTypeOf(request);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new ProblemError('unsupported-media-type', `Send the body as JSON with "Content-Type: application/json"${type ? ` (got "${type}")` : ''}.`);
  }
  // Read straight from the body (no TransformStream in between: this runs on every API call).
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (size === 0) return undefined;
  // Invalid UTF-8 becomes U+FFFD, as TextDecoder without `fatal` does. A leading byte order mark
  // (Windows PowerShell writes one) is dropped, as RFC 8259 allows.
  const decoded = Buffer.concat(chunks).toString('utf8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProblemError('bad-request', `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/** Checks a raw (non-JSON) upload's media type and size, and returns its stream with the limit enforced. */
export function rawBodyStream(request: Request, spec: { mediaTypes: string[]; maxBytes: number }): ReadableStream<Uint8Array> {
  const type = mediaTypeOf(request);
  const accepted = spec.mediaTypes.map((t) => t.toLowerCase());
  if (!accepted.includes('*/*') && !accepted.includes(type)) {
    throw new ProblemError('unsupported-media-type', `Send one of ${spec.mediaTypes.join(', ')}${type ? ` (got "${type}")` : ''}.`, { extensions: { accepted: spec.mediaTypes } });
  }
  const length = declaredLength(request);
  if (length !== null && length > spec.maxBytes) throw tooLarge(spec.maxBytes);
  if (!request.body) return new ReadableStream({ start: (controller) => controller.close() });
  refuseContentEncoding(request);
  return limitedStream(request.body, spec.maxBytes);
}

/** Passes the stream through, erroring with a 413 problem as soon as more than `limit` bytes arrived. */
export function limitedStream(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(tooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** Deeper than any request of ours; past it a value is refused before anything walks it recursively. */
const MAX_DEPTH = 64;
// A NUL, or half of a UTF-16 surrogate pair: valid in a JS string and in JSON text, but not
// storable as text in Postgres (nor meaningful in any field of ours).
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Strings (values and keys) a request may not carry, and values nested too deeply, as field
 * errors: found before validation, so no such value reaches the database and becomes a 500.
 */
export function unstorableValues(value: unknown, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: prefix, depth: 0 }];
  while (stack.length > 0 && errors.length < 20) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (UNSTORABLE.test(item.value)) errors.push({ path: item.path, message: 'Contains a NUL character or an unpaired UTF-16 surrogate; send valid Unicode text.' });
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_DEPTH) {
      errors.push({ path: item.path, message: `Nested more than ${MAX_DEPTH} levels deep.` });
      continue;
    }
    for (const [key, child] of Object.entries(item.value)) {
      if (UNSTORABLE.test(key)) errors.push({ path: item.path, message: 'A key contains a NUL character or an unpaired UTF-16 surrogate.' });
      else stack.push({ value: child, path: `${item.path}.${key}`, depth: item.depth + 1 });
    }
  }
  return errors;
}
