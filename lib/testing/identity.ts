/**
 * Test fixtures for anything behind the route wrapper or the console: real users, workspaces,
 * memberships, API tokens and session cookies, written through the same data-access functions the
 * product uses. For vitest files (each has its own database, see db/testing/per-file.ts).
 */
import crypto from 'node:crypto';
import type { RuntimeDb } from '@/db/runtime';
import type { Role } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { encodeSessionCookie, SESSION_COOKIE } from '@/lib/auth/request-session';
import { createSession } from '@/lib/auth/sessions';
import { createUser, type UserRecord } from '@/lib/auth/users';
import { createApiToken, type TokenInput } from '@/lib/tokens/store';
import { addMember, createWorkspace } from '@/lib/workspaces/members';
import type { WorkspaceRef } from '@/lib/workspaces/store';

export const TEST_AUTH_SECRET = 'test-only-auth-secret-0123456789abcdef';
process.env.AUTH_SECRET ??= TEST_AUTH_SECRET;

export const TEST_AUDIT: AuditContext = { actor: { type: 'operator', label: 'test fixture' } };

const unique = () => crypto.randomBytes(4).toString('hex');

export async function testWorkspace(db: RuntimeDb, slug = `ws-${unique()}`, name = `Workspace ${slug}`): Promise<WorkspaceRef> {
  return createWorkspace(db, { slug, name }, TEST_AUDIT);
}

export async function testUser(db: RuntimeDb, input: { email?: string; name?: string; password?: string } = {}): Promise<UserRecord> {
  return createUser(db, { email: input.email ?? `user-${unique()}@example.test`, name: input.name ?? 'Test User', password: input.password }, TEST_AUDIT);
}

/** A user who is a member of the workspace with this role. */
export async function testMember(db: RuntimeDb, workspace: WorkspaceRef, role: Role, input: { email?: string; password?: string } = {}): Promise<UserRecord> {
  const user = await testUser(db, { ...input, email: input.email ?? `${role}-${unique()}@example.test` });
  await addMember(db, workspace.id, user.id, role, TEST_AUDIT);
  return user;
}

/** A session record and the Cookie header that carries it, as next-auth would have set it. */
export async function testSessionCookie(db: RuntimeDb, user: { id: string }, workspaces: string[] = []): Promise<{ cookie: string; sessionId: string }> {
  const session = await createSession(db, { userId: user.id, method: 'local', ip: '127.0.0.1', userAgent: 'vitest' });
  const jwt = await encodeSessionCookie({ sub: user.id, sid: session.id, workspaces });
  return { cookie: `${SESSION_COOKIE}=${jwt}`, sessionId: session.id };
}

export async function testToken(db: RuntimeDb, workspace: WorkspaceRef, input: Partial<TokenInput> = {}): Promise<{ token: string; id: string }> {
  const { token, record } = await createApiToken(
    db,
    workspace.id,
    { name: 'ci', scopes: ['gate:evaluate', 'evidence:write', 'passport:read'], expiresAt: new Date(Date.now() + 86_400_000), ...input },
    TEST_AUDIT,
  );
  return { token, id: record.id };
}

/** A Request as a route handler receives it. */
export function apiRequest(
  path: string,
  init: { method?: string; token?: string; scheme?: string; cookie?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `${init.scheme ?? 'Bearer'} ${init.token}`);
  if (init.cookie) headers.set('cookie', init.cookie);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new Request(new URL(path, 'http://localhost:3000'), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, duplex: 'half' } as RequestInit);
}
