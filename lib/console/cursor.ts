/**
 * Keyset pagination cursors: the sort key of the last row of a page, opaque to the browser
 * (base64url JSON of its parts). Timestamps travel in Postgres' own text form so the next page
 * starts exactly after the last row: a JavaScript Date keeps milliseconds, Postgres keeps
 * microseconds, and a cursor rounded to milliseconds would skip or repeat rows.
 */
import { SHA256_HEX_PATTERN } from '@/lib/domain/primitives';

/** Postgres' text form of a timestamptz, as `created_at::text` prints it. */
export const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;
export const SHA256_ID = SHA256_HEX_PATTERN;
export const UUID_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const INTEGER_ID = /^\d{1,18}$/;

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * The parts a cursor carries, each checked against its pattern, or null for anything that is not
 * one of ours (the list then starts at the top rather than failing).
 */
export function decodeCursor(cursor: string | null | undefined, patterns: readonly RegExp[]): string[] | null {
  if (!cursor || cursor.length > 300) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== patterns.length) return null;
    const parts = value as unknown[];
    return parts.every((part, index) => typeof part === 'string' && patterns[index]!.test(part)) ? (parts as string[]) : null;
  } catch {
    return null;
  }
}
