/**
 * Seats: what a license's `seats` counts, installation-wide (a license is per runtime). A seat is
 * held by each person with access to at least one workspace whose account is enabled; a pending
 * invitation reserves one for its email until it is used, withdrawn or expires. Unlicensed
 * (evaluation) runtimes have no seat limit. Checks run under one transaction-scoped advisory lock,
 * so two concurrent additions cannot both take the last seat.
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { invitations, memberships, users } from '@/db/schema/runtime';
import type { DbOrTx } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';
import { readLicenseStatus } from '@/lib/license/status';

export interface SeatUsage {
  /** People holding a seat now. */
  used: number;
  /** Pending invitations for people who hold no seat yet. */
  reserved: number;
  /** The license's seats; null when no valid license limits them. */
  limit: number | null;
  plan: string | null;
}

// Any constant: it names the one lock all seat-taking changes queue on.
const SEAT_LOCK_KEY = 0x5ea75;

async function seatHolders(db: DbOrTx): Promise<Array<{ userId: string; email: string }>> {
  return db
    .selectDistinct({ userId: memberships.userId, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(isNull(users.disabledAt));
}

/** Emails of pending invitations for people who hold no seat. */
async function reservations(db: DbOrTx, holders: Array<{ email: string }>, now: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ email: invitations.email })
    .from(invitations)
    .where(and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)));
  const holding = new Set(holders.map((holder) => holder.email));
  return rows.map((row) => row.email).filter((email) => !holding.has(email));
}

export async function seatUsage(db: DbOrTx, now = new Date()): Promise<SeatUsage> {
  const [holders, license] = await Promise.all([seatHolders(db), readLicenseStatus(db, now)]);
  const reserved = await reservations(db, holders, now);
  return { used: holders.length, reserved: reserved.length, limit: license.valid ? license.seats : null, plan: license.plan };
}

function seatsFull(usage: SeatUsage, field: string): ProblemError {
  const message =
    `All ${usage.limit} seats of the ${usage.plan ? `${usage.plan} ` : ''}license are taken (${usage.used} ${usage.used === 1 ? 'person' : 'people'} with access, ` +
    `${usage.reserved} pending ${usage.reserved === 1 ? 'invitation' : 'invitations'}). Remove someone or withdraw an invitation, or move to a plan with more seats.`;
  return new ProblemError('conflict', message, { errors: [{ path: field, message: 'no seat is free' }] });
}

/**
 * Refuses, with a problem naming the counts, when giving `person` access would pass the licensed
 * seats. Someone who already holds a seat takes no new one; pending invitations for others count
 * as taken, the person's own does not (accepting it uses the seat it reserved). Call inside the
 * transaction that adds the access: the lock is held until it ends.
 */
export async function assertSeatAvailable(tx: DbOrTx, person: { userId?: string | null; email?: string | null }, field: string): Promise<void> {
  const now = new Date();
  const license = await readLicenseStatus(tx, now);
  if (!license.valid) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${SEAT_LOCK_KEY})`);
  let email = person.email ?? null;
  if (!email && person.userId) [{ email = null } = {}] = await tx.select({ email: users.email }).from(users).where(eq(users.id, person.userId));
  const holders = await seatHolders(tx);
  if (holders.some((holder) => holder.userId === person.userId || holder.email === email)) return;
  const reserved = (await reservations(tx, holders, now)).filter((pending) => pending !== email);
  if (holders.length + reserved.length + 1 > license.seats!) {
    throw seatsFull({ used: holders.length, reserved: reserved.length, limit: license.seats, plan: license.plan }, field);
  }
}
