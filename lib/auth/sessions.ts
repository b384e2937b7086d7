/**
 * Server-side session records. The session cookie (a short-lived encrypted JWT) only names a
 * record; every server-side check loads it, so revoking it ("sign out everywhere"), disabling the
 * user or letting it expire takes effect on the very next request, whatever the cookie says.
 */
import { and, desc, eq, gt, isNull, ne } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { sessions, users } from '@/db/schema/runtime';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { SESSION_MAX_AGE_SECONDS } from './edge-config';

/** lastSeenAt is written at most this often per session. */
const TOUCH_INTERVAL_MS = 5 * 60_000;

export type SessionMethod = 'local' | 'oidc' | 'proxy' | 'link';

export interface ActiveSession {
  id: string;
  userId: string;
  method: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  user: { id: string; email: string; name: string; hasPassword: boolean };
}

export async function createSession(
  db: DbOrTx,
  input: { userId: string; method: SessionMethod; ip: string | null; userAgent: string | null },
): Promise<{ id: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
  const [row] = await db
    .insert(sessions)
    .values({ userId: input.userId, method: input.method, ip: input.ip, userAgent: input.userAgent?.slice(0, 300) ?? null, expiresAt })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, input.userId));
  return row!;
}

/** The session if it exists, is not revoked, has not expired and its user is not disabled. */
export async function loadActiveSession(db: RuntimeDb, sessionId: string, now = new Date()): Promise<ActiveSession | null> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return null;
  const [row] = await db
    .select({
      id: sessions.id,
      userId: sessions.userId,
      method: sessions.method,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1);
  if (!row) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id));
  }
  return {
    id: row.id,
    userId: row.userId,
    method: row.method,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastSeenAt: row.lastSeenAt,
    user: { id: row.userId, email: row.email, name: row.name, hasPassword: row.passwordHash !== null },
  };
}

export async function listActiveSessions(db: RuntimeDb, userId: string, now = new Date()) {
  return db
    .select({ id: sessions.id, method: sessions.method, ip: sessions.ip, userAgent: sessions.userAgent, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
}

/** Ends one of the user's sessions. */
export async function revokeSession(db: DbOrTx, userId: string, sessionId: string, audit: AuditContext): Promise<boolean> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (revoked.length === 0) return false;
    await appendAuditEvent(tx, { ...audit, workspaceId: null, action: 'session.revoke', resource: { type: 'session', id: sessionId }, outcome: 'allow' });
    return true;
  });
}

/** "Sign out everywhere": ends every session of the user (optionally keeping one). */
export async function revokeAllSessions(db: DbOrTx, userId: string, audit: AuditContext, keep: string | null = null): Promise<number> {
  return db.transaction(async (tx) => {
    const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
    if (keep) conditions.push(ne(sessions.id, keep));
    const revoked = await tx.update(sessions).set({ revokedAt: new Date() }).where(and(...conditions)).returning({ id: sessions.id });
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId: null,
      action: 'session.revoke_all',
      resource: { type: 'user', id: userId },
      outcome: 'allow',
      details: { sessions: revoked.length },
    });
    return revoked.length;
  });
}
