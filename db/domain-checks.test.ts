/**
 * The database refuses a role, mode, decision or access outcome the domain's lists do not have
 * (lib/domain/primitives.ts → CHECK constraints, migration 0011): a row written around the
 * TypeScript types (SQL typed by hand in an incident, a future raw statement) cannot hold one.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ROLES } from '@/lib/domain/primitives';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import { getRuntimeDb } from './runtime';

/** The constraint a refused statement names (drizzle wraps the driver's error). */
async function refusedBy(statement: Promise<unknown>): Promise<string | null> {
  try {
    await statement;
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; constraint_name?: string } }).cause ?? (error as { code?: string; constraint_name?: string });
    return cause.code === '23514' ? (cause.constraint_name ?? 'unnamed') : `not a check violation: ${String(error)}`;
  }
}

describe('domain values in the database', () => {
  it('a membership role outside ROLES is refused; every role in it is accepted', async () => {
    const db = await getRuntimeDb();
    const workspace = await testWorkspace(db);
    for (const role of ROLES) await testMember(db, workspace, role);
    const member = await testMember(db, workspace, 'viewer');
    expect(await refusedBy(db.execute(sql`update memberships set role = 'owner' where user_id = ${member.id}`))).toBe('memberships_role_check');
  });

  it('a policy mode outside POLICY_MODES is refused', async () => {
    const db = await getRuntimeDb();
    const workspace = await testWorkspace(db);
    const insert = (mode: string) =>
      db.execute(sql`insert into policies (workspace_id, name, scope_key, mode, rules, hash) values (${workspace.id}, 'p', ${`scope-${mode}`}, ${mode}, '[]'::jsonb, 'h')`);
    expect(await refusedBy(insert('strict'))).toBe('policies_mode_check');
    expect(await refusedBy(insert('enforce'))).toBeNull();
  });
});
