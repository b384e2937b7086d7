/**
 * What an audit event is, and how its hash is computed. Pure: shared by the writer (log.ts) and
 * the verifier (verify.ts), so the two can never disagree about the bytes being hashed.
 *
 * hash = sha256(prev_hash + "\n" + canonical JSON (RFC 8785) of every other column)
 * (computed by the database when it appends: see canonicalBodyAroundSeq)
 */
import crypto from 'node:crypto';
import { canonicalJson } from '@/lib/json/canonical';
import { plainJson } from '@/lib/json/plain';

/** The chain of events that happen outside any workspace (sign-ins, installation changes). */
export const INSTALLATION_CHAIN = 'installation';
/** prev_hash of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditActorType = 'user' | 'token' | 'operator' | 'system' | 'anonymous';

export interface AuditActor {
  type: AuditActorType;
  /** User id, token id; null for anonymous callers and the system. */
  id?: string | null;
  /** What a person reading the log recognises: an email, a token name, "rp admin". */
  label?: string | null;
}

/** Who did it, from where, in which request: the part every event of one request shares. */
export interface AuditContext {
  actor: AuditActor;
  requestId?: string | null;
  ip?: string | null;
}

export interface AuditEventInput extends AuditContext {
  /** Null for events outside any workspace: they go to the installation chain. */
  workspaceId: string | null;
  /** Dotted name of what happened: "token.create", "member.remove", "auth.sign_in", "api.gate.evaluate". */
  action: string;
  resource?: { type: string; id?: string | null } | null;
  outcome: 'allow' | 'deny';
  /** Why it was denied (or a note on an allowed one). */
  reason?: string | null;
  /** Further facts (never secrets): what changed, the scopes granted, the role given. */
  details?: Record<string, unknown>;
  at?: Date;
}

/** Every hashed column of a stored event. */
export interface HashedAuditEvent {
  id: string;
  chain: string;
  seq: number;
  workspaceId: string | null;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  details: unknown;
  prevHash: string;
}

export function chainOf(workspaceId: string | null): string {
  return workspaceId ?? INSTALLATION_CHAIN;
}

export function hashAuditEvent(event: HashedAuditEvent): string {
  const { prevHash, ...rest } = event;
  const body = canonicalJson({ ...rest, at: event.at.toISOString() });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * The canonical JSON of an event that has no seq yet, cut where its seq goes: the writer sends
 * the two halves and the database, which alone knows the seq and the previous hash when it appends,
 * computes sha256(prev_hash + "\n" + before + seq + after): the same bytes hashAuditEvent hashes.
 * Keys are sorted and "seq" is followed only by "workspaceId" (a uuid or null), so the last
 * `"seq":` in the text is the event's own, whatever the details hold.
 */
export function canonicalBodyAroundSeq(event: Omit<HashedAuditEvent, 'seq' | 'prevHash'>): { before: string; after: string } {
  const body = canonicalJson({ ...event, seq: 0, at: event.at.toISOString() });
  const marker = '"seq":0,"workspaceId":';
  const at = body.lastIndexOf(marker);
  if (at < 0) throw new Error('audit event canonical form has no seq before workspaceId');
  const cut = at + '"seq":'.length;
  return { before: body.slice(0, cut), after: body.slice(cut + 1) };
}

/** Details as they will read back from jsonb: plain JSON, no undefined, no functions, well-formed text. */
export function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  return plainJson(details) as Record<string, unknown>;
}

/**
 * A text column's value with lone UTF-16 surrogates (which a JSON request body can carry as
 * "\ud800") replaced by U+FFFD: neither canonical JSON (RFC 8785) nor Postgres text admits them,
 * and an audit event must never fail to be written because of what a caller sent. Null when absent.
 */
export function wellFormedText(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : value.toWellFormed();
}
