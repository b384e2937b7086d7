/**
 * Safe retries of the gate: a request with an `Idempotency-Key` header (per workspace, kept 24
 * hours) records its decision together with the key, in one statement; a retry with the same key
 * and the same body gets that answer again (`Idempotent-Replayed: true`) instead of a second
 * decision and passport, and the same key with another body is refused (422). Two attempts racing
 * with one key: the database's unique key lets one record, the other answers with its result.
 */
import { lte, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { compiledStatement } from '@/db/statement';
import { gateIdempotencyKeys } from '@/db/schema/runtime';
import { ProblemError } from '@/lib/http/problem';
import { canonicalHash } from '@/lib/json/canonical';
import type { DsseEnvelope } from '@/lib/passport/dsse';
import { envelopeFromStored, envelopeToStore, type StoredEnvelope } from '@/lib/passport/stored-envelope';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENCY_KEY_HOURS = 24;
const KEY_CONSTRAINT = 'gate_idempotency_keys_pkey';

/** Visible ASCII, 1-255 characters: UUIDs, CI run ids ("github-1234-1"), anything a client makes. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's key, or null without one; a malformed key is a 400 naming the header. */
export function idempotencyKeyOf(headers: Headers): string | null {
  const raw = headers.get(IDEMPOTENCY_HEADER);
  if (raw === null) return null;
  const key = raw.trim().replace(/^"(.*)"$/, '$1');
  if (!KEY.test(key)) {
    throw new ProblemError('validation-failed', 'The Idempotency-Key header must be 1-255 visible ASCII characters (a UUID, or a CI run id).', {
      errors: [{ path: 'headers.idempotency-key', message: '1-255 visible ASCII characters, no spaces' }],
    });
  }
  return key;
}

export function requestHashOf(request: object): string {
  return canonicalHash(request);
}

/**
 * What is recorded under a live key: the hash of the request that made it, and the answer given,
 * whose passport envelope is stored without its payload (lib/passport/stored-envelope.ts): the
 * passport's own row holds the signed text, read beside the answer (`passportPayload`).
 */
export interface RecordedAnswer {
  requestHash: string;
  response: unknown;
  /** The recorded passport's signed text; null when that passport is gone (its workspace's retention, say). */
  passportPayload: string | null;
}

/** The answer as recorded under its key: the passport envelope without the payload its row holds. */
export function answerToRecord<T extends { passport: { envelope: DsseEnvelope } }>(answer: T): T & { passport: { envelope: StoredEnvelope } } {
  return { ...answer, passport: { ...answer.passport, envelope: envelopeToStore(answer.passport.envelope) } };
}

/**
 * The answer recorded under `key`, or null when the key is new (or expired: removed here, so it
 * can be used again). The same key with another request body is refused. (The gate's first read
 * does the same in its own round trip: lib/gate/load.ts.)
 */
export async function recordedAnswer<T>(db: RuntimeDb, workspaceId: string, key: string, requestHash: string): Promise<T | null> {
  const [row] = await findRecordedAnswer(db, { workspaceId, key });
  return row ? replayOf<T>({ requestHash: row.request_hash, response: row.response, passportPayload: row.passport_payload }, key, requestHash) : null;
}

/** The recorded answer for a retry of the same request; the same key with another body is a 422. */
export function replayOf<T>(recorded: RecordedAnswer, key: string, requestHash: string): T {
  if (recorded.requestHash !== requestHash) {
    throw new ProblemError(
      'idempotency-key-reused',
      `The Idempotency-Key "${key}" was used in the last ${IDEMPOTENCY_KEY_HOURS} hours for a different gate request. A retry must send the same request; a new evaluation needs a new key.`,
    );
  }
  const answer = (typeof recorded.response === 'string' ? JSON.parse(recorded.response) : recorded.response) as { passport: { envelope: StoredEnvelope & { payload?: string } } };
  if (recorded.passportPayload !== null) {
    answer.passport.envelope = envelopeFromStored({ payload: recorded.passportPayload, envelope: answer.passport.envelope });
  } else if (answer.passport.envelope.payload === undefined) {
    // Answers recorded before the payload moved out kept it; without it and without the passport there is nothing signed to give.
    throw new ProblemError(
      'conflict',
      `The passport recorded under the Idempotency-Key "${key}" has been deleted since, so the answer cannot be given again. Send the request with a new key for a new evaluation.`,
    );
  }
  return answer as T;
}

/** One round trip on the gate's path: an expired key is removed (so it can be used again) as the live one is read. */
const findRecordedAnswer = compiledStatement<{ request_hash: string; response: unknown; passport_payload: string | null }>(
  (_db, value) => sql`with expired as (
      delete from gate_idempotency_keys
      where workspace_id = ${value('workspaceId')}::uuid and key = ${value('key')}::text and expires_at <= now()
    )
    select k.request_hash, k.response, ${RECORDED_PASSPORT_PAYLOAD} as passport_payload from gate_idempotency_keys k
    where k.workspace_id = ${value('workspaceId')}::uuid and k.key = ${value('key')}::text and k.expires_at > now()`,
);

/** The signed text of the passport an answer recorded under key `k` names (both reads of a key use it). */
export const RECORDED_PASSPORT_PAYLOAD = sql.raw(
  `(select p.payload from passports p where p.workspace_id = k.workspace_id and p.id = k.response->'passport'->>'id')`,
);

/** The recording failed because another attempt with the same key recorded first. */
export function isKeyTaken(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { code, constraint_name: constraintName, constraint, message } = current as { code?: string; constraint_name?: string; constraint?: string; message?: string };
    if (code === '23505' && (constraintName === KEY_CONSTRAINT || constraint === KEY_CONSTRAINT || message?.includes(KEY_CONSTRAINT))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Removes keys past their 24 hours (the freshness job). */
export async function deleteExpiredIdempotencyKeys(db: RuntimeDb): Promise<number> {
  const removed = await db.delete(gateIdempotencyKeys).where(lte(gateIdempotencyKeys.expiresAt, sql`now()`)).returning({ key: gateIdempotencyKeys.key });
  return removed.length;
}
