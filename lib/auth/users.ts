/**
 * People (installation-level: one person can belong to several workspaces). Emails are kept
 * normalised (./email) so sign-in, invitations and OIDC linking match whatever case people type.
 */
import { eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { users } from '@/db/schema/runtime';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { isEmail, normalizeEmail } from './email';
import { hashPassword, passwordProblem } from './passwords';

export { isEmail, normalizeEmail };

export type UserRecord = typeof users.$inferSelect;

export class UserInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRecord | null> {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return row ?? null;
}

export async function findUserById(db: RuntimeDb, id: string): Promise<UserRecord | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

/** Creates a person; with a password they can sign in with a local account. */
export async function createUser(db: DbOrTx, input: { email: string; name?: string; password?: string | null }, audit: AuditContext): Promise<UserRecord> {
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) throw new UserInputError('email', `"${input.email}" is not an email address`);
  if (input.password) {
    const problem = passwordProblem(input.password, [email, input.name ?? '']);
    if (problem) throw new UserInputError('password', `The password is too weak: ${problem}.`);
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, email)) throw new UserInputError('email', `A user with the email ${email} already exists.`);
    const [user] = await tx.insert(users).values({ email, name: input.name?.trim() ?? '', passwordHash }).returning();
    await appendAuditEvent(tx, { ...audit, workspaceId: null, action: 'user.create', resource: { type: 'user', id: user!.id }, outcome: 'allow', details: { email, localPassword: passwordHash !== null } });
    return user!;
  });
}

export async function setPassword(db: DbOrTx, userId: string, password: string, audit: AuditContext): Promise<void> {
  const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  const problem = passwordProblem(password, user ? [user.email, user.name] : []);
  if (problem) throw new UserInputError('password', `The password is too weak: ${problem}.`);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await appendAuditEvent(tx, { ...audit, workspaceId: null, action: 'user.password_set', resource: { type: 'user', id: userId }, outcome: 'allow' });
  });
}

export async function updateProfile(db: DbOrTx, userId: string, input: { name: string }, audit: AuditContext): Promise<void> {
  const name = input.name.trim().slice(0, 200);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ name }).where(eq(users.id, userId));
    await appendAuditEvent(tx, { ...audit, workspaceId: null, action: 'user.profile_update', resource: { type: 'user', id: userId }, outcome: 'allow', details: { name } });
  });
}
