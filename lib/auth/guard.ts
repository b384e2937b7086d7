/**
 * The server-side check every page and server action runs, whatever the middleware did
 * (CVE-2025-29927): the session record is loaded from the database (so a revoked session or a
 * removed member stops at once), the membership is looked up by slug (a non-member gets
 * notFound(): 404, the workspace's existence is not revealed), and the verb is asked of can()
 * (a member without it gets forbidden(): 403). Refusals are audit events.
 */
import { forbidden, notFound, redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { authorize, type MemberActor } from '@/lib/access/can';
import type { Verb } from '@/lib/access/verbs';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { clientAddress } from '@/lib/http/client-address';
import { logger } from '@/lib/http/logger';
import { REQUEST_ID_HEADER } from '@/lib/http/request-id';
import { findMembershipBySlug, listMemberships, type MembershipRef, type WorkspaceRef } from '@/lib/workspaces/store';
import { sessionFromRequest } from './request-session';
import type { ActiveSession } from './sessions';

export interface SignedIn {
  db: RuntimeDb;
  session: ActiveSession;
  user: ActiveSession['user'];
  /** Who did it, from where, in which request: for audit events of actions. */
  audit: AuditContext;
}

export interface MemberContext extends SignedIn {
  workspace: WorkspaceRef;
  role: MembershipRef['role'];
  actor: MemberActor;
  /** Every workspace of the user (the workspace switcher). */
  memberships: MembershipRef[];
  can(verb: Verb): boolean;
}

async function requestContext(): Promise<{ db: RuntimeDb; headers: Headers; ip: string | null; requestId: string | null }> {
  const db = await getRuntimeDb();
  const incoming = await headers();
  return { db, headers: incoming, ip: clientAddress(incoming), requestId: incoming.get(REQUEST_ID_HEADER) };
}

/** The signed-in person, or null. */
export async function currentUser(): Promise<SignedIn | null> {
  const { db, headers: incoming, ip, requestId } = await requestContext();
  const session = await sessionFromRequest(db, incoming);
  if (!session) return null;
  return { db, session, user: session.user, audit: { actor: { type: 'user', id: session.user.id, label: session.user.email }, ip, requestId } };
}

/** The signed-in person; anyone else is sent to the login page and back to `returnTo` afterwards. */
export async function requireUser(returnTo: string): Promise<SignedIn> {
  const signedIn = await currentUser();
  if (!signedIn) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return signedIn;
}

/** A member of the workspace named `slug` (404 for anyone else), holding `verb` if given (403 otherwise). */
export async function requireMember(slug: string, verb: Verb | null, returnTo: string): Promise<MemberContext> {
  const signedIn = await requireUser(returnTo);
  const { db, user, audit } = signedIn;
  const membership = await findMembershipBySlug(db, user.id, slug);
  if (!membership) {
    await recordDenial(db, { ...audit, workspaceId: null, reason: `not a member of workspace "${slug}"`, path: returnTo });
    notFound();
  }
  const actor: MemberActor = {
    type: 'member',
    userId: user.id,
    email: user.email,
    name: user.name,
    workspaceId: membership.workspace.id,
    role: membership.role,
    sessionId: signedIn.session.id,
  };
  if (verb) {
    const decision = authorize(actor, verb, { workspaceId: membership.workspace.id });
    if (!decision.allowed) {
      await recordDenial(db, { ...audit, workspaceId: membership.workspace.id, reason: decision.reason, path: returnTo });
      forbidden();
    }
  }
  return {
    ...signedIn,
    workspace: membership.workspace,
    role: membership.role,
    actor,
    memberships: await listMemberships(db, user.id),
    can: (v) => authorize(actor, v, { workspaceId: membership.workspace.id }).allowed,
  };
}

async function recordDenial(db: RuntimeDb, input: AuditContext & { workspaceId: string | null; reason: string; path: string }): Promise<void> {
  await appendAuditEvent(db, {
    actor: input.actor,
    ip: input.ip,
    requestId: input.requestId,
    workspaceId: input.workspaceId,
    action: 'page.view',
    resource: { type: 'page', id: input.path },
    outcome: 'deny',
    reason: input.reason,
  }).catch((error: unknown) => logger.error({ err: error }, 'audit event for a page denial could not be written'));
}
