/**
 * The workspace slugs carried in the session cookie: a hint for the Edge middleware only (it has
 * no database). The server never trusts them; it re-checks every membership.
 */
import type { RuntimeDb } from '@/db/runtime';
import { listMemberships } from '@/lib/workspaces/store';

/** Enough for anyone; beyond it the middleware lets the server decide (a cookie has ~4 KB). */
export const MAX_WORKSPACE_CLAIMS = 100;

export async function workspaceClaims(db: RuntimeDb, userId: string): Promise<{ workspaces: string[]; workspacesTruncated: boolean; claimsAt: number }> {
  const memberships = await listMemberships(db, userId);
  return {
    workspaces: memberships.slice(0, MAX_WORKSPACE_CLAIMS).map((m) => m.workspace.slug),
    workspacesTruncated: memberships.length > MAX_WORKSPACE_CLAIMS,
    claimsAt: Math.floor(Date.now() / 1000),
  };
}
