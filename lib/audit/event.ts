/**
 * What an audit event is, and how its hash is computed. Pure: shared by the writer (log.ts) and
 * the verifier (verify.ts), so the two can never disagree about the bytes being hashed.
 *
 * hash = sha256(prev_hash + "\n" + canonical JSON (RFC 8785) of every other column)
 */
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

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
  const body = canonicalize({ ...rest, at: event.at.toISOString() });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(body ?? '').digest('hex');
}

/** Details as they will read back from jsonb: plain JSON, no undefined, no functions. */
export function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
}
