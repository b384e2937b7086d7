/**
 * Disabling an account ends its sessions at once and keeps it out until enabled; a workspace
 * admin decides it only for people whose every workspace they administer.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { TEST_AUDIT, testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { addMember } from '@/lib/workspaces/members';
import { accountChangeRefusal, setAccountDisabled } from './account-status';
import { loadActiveSession } from './sessions';
import { consumeSignInLink, createSignInLink } from './sign-in-links';

let db: RuntimeDb;
let acme: WorkspaceRef;
let beta: WorkspaceRef;

beforeAll(async () => {
  db = await getRuntimeDb();
  acme = await testWorkspace(db);
  beta = await testWorkspace(db);
});

describe('disabling an account', () => {
  it('ends its sessions and sign-in links from the next request on, audited; enabling lets it sign in again', async () => {
    const person = await testMember(db, acme, 'developer');
    const { sessionId } = await testSessionCookie(db, person, [acme.slug]);
    const link = await createSignInLink(db, person.id, 3_600_000);
    expect(await loadActiveSession(db, sessionId)).not.toBeNull();

    expect(await setAccountDisabled(db, { userId: person.id, disabled: true }, { workspaceId: acme.id, audit: TEST_AUDIT })).toBe('disabled');
    expect(await loadActiveSession(db, sessionId)).toBeNull();
    expect(await consumeSignInLink(db, link.secret)).toBeNull();
    expect(await setAccountDisabled(db, { userId: person.id, disabled: true }, { workspaceId: acme.id, audit: TEST_AUDIT })).toBe('unchanged');
    // A link issued while disabled does not sign in either.
    expect(await consumeSignInLink(db, (await createSignInLink(db, person.id, 3_600_000)).secret)).toBeNull();

    expect(await setAccountDisabled(db, { userId: person.id, disabled: false }, { workspaceId: acme.id, audit: TEST_AUDIT })).toBe('enabled');
    // Ended sessions stay ended; a new sign-in works.
    expect(await loadActiveSession(db, sessionId)).toBeNull();
    const fresh = await testSessionCookie(db, person, [acme.slug]);
    expect(await loadActiveSession(db, fresh.sessionId)).not.toBeNull();

    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, acme.id), eq(auditEvents.resourceId, person.id)));
    expect(events.map((event) => event.action).filter((action) => action.startsWith('user.'))).toEqual(['user.disable', 'user.enable']);
    expect(events.find((event) => event.action === 'user.disable')!.details).toMatchObject({ email: person.email, endedSessions: 1 });
  });
});

describe('who may disable an account from a workspace', () => {
  it('an admin of every workspace the person belongs to, never themselves', async () => {
    const admin = await testMember(db, acme, 'admin');
    const onlyAcme = await testMember(db, acme, 'viewer');
    const alsoBeta = await testMember(db, acme, 'viewer');
    await addMember(db, beta.id, alsoBeta.id, 'viewer', TEST_AUDIT);
    const outsider = await testMember(db, beta, 'viewer');

    expect(await accountChangeRefusal(db, admin.id, onlyAcme.id, acme.id)).toBeNull();
    expect(await accountChangeRefusal(db, admin.id, admin.id, acme.id)).toMatch(/your own account/);
    expect(await accountChangeRefusal(db, admin.id, alsoBeta.id, acme.id)).toMatch(/workspaces you do not administer/);
    expect(await accountChangeRefusal(db, admin.id, outsider.id, acme.id)).toMatch(/not a member of this workspace/);
    // Admin of beta too: now theirs to decide.
    await addMember(db, beta.id, admin.id, 'admin', TEST_AUDIT);
    expect(await accountChangeRefusal(db, admin.id, alsoBeta.id, acme.id)).toBeNull();
  });
});
