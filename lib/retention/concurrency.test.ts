/**
 * Two admins changing the retention policy at once, through the real API route: the second gets
 * 409 problem+json with the current version and nothing of theirs is written.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET, PUT } from '@/app/api/v1/retention/route.runtime';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { retentionPolicies } from '@/db/schema/runtime';
import { apiRequest, testMember, testSessionCookie, testWorkspace } from '@/lib/testing/identity';
import type { WorkspaceRef } from '@/lib/workspaces/store';

let db: RuntimeDb;
let workspace: WorkspaceRef;
let cookies: string[];

function put(cookie: string, body: object) {
  return PUT(apiRequest('/api/v1/retention', { method: 'PUT', cookie, json: body, headers: { 'rp-workspace': workspace.slug } }));
}

beforeAll(async () => {
  db = await getRuntimeDb();
  workspace = await testWorkspace(db, 'retention-occ');
  cookies = [];
  for (const email of ['ann@retention.test', 'ben@retention.test']) {
    const user = await testMember(db, workspace, 'admin', { email });
    cookies.push((await testSessionCookie(db, user)).cookie);
  }
});

describe('PUT /api/v1/retention with expectedVersion', () => {
  it('refuses the second of two changes made from the same version (409 with the current version), keeping the first', async () => {
    const initial = await GET(apiRequest('/api/v1/retention', { cookie: cookies[0]!, headers: { 'rp-workspace': workspace.slug } }));
    expect(await initial.json()).toMatchObject({ version: 0, passportsDays: null });
    const first = await put(cookies[0]!, { passportsDays: 365, evidenceDays: 365, auditDays: 730, expectedVersion: 0 });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ version: 1, passportsDays: 365 });

    const [a, b] = await Promise.all([
      put(cookies[0]!, { passportsDays: 90, evidenceDays: 90, auditDays: 365, expectedVersion: 1 }),
      put(cookies[1]!, { passportsDays: 30, evidenceDays: 30, auditDays: 30, expectedVersion: 1 }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winnerDays = a.status === 200 ? 90 : 30;
    expect(loser.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await loser.json()) as { code: string; currentVersion: number; detail: string; errors: Array<{ path: string; message: string }> };
    expect(problem).toMatchObject({ code: 'conflict', currentVersion: 2, expectedVersion: 1 });
    expect(problem.detail).toMatch(/you started from version 1, it is now at version 2 by (ann|ben)@retention\.test .*Nothing was saved/);
    expect(problem.errors).toEqual([{ path: 'version', message: expect.stringMatching(/^Changed meanwhile: the current version is 2 by/) }]);
    const [row] = await db.select().from(retentionPolicies).where(eq(retentionPolicies.workspaceId, workspace.id));
    expect(row).toMatchObject({ version: 2, passportsDays: winnerDays });

    // From a stale page, later: still refused; from the current version: saved.
    expect((await put(cookies[1]!, { passportsDays: 7, evidenceDays: 7, auditDays: 30, expectedVersion: 1 })).status).toBe(409);
    expect(await (await put(cookies[1]!, { passportsDays: 7, evidenceDays: 7, auditDays: 30, expectedVersion: 2 })).json()).toMatchObject({ version: 3, passportsDays: 7 });
  });
});
