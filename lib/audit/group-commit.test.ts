import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents } from '@/db/schema/runtime';
import { rowsOf } from '@/db/rows';
import { compiledStatement, runInOneTransaction } from '@/db/statement';
import { appendAuditEvent, auditedStatement } from './log';
import { verifyAuditChain } from './verify';

const actor = { type: 'user' as const, id: 'u-1', label: 'dev@example.test' };

async function newWorkspace(slug = `g-${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  const db = await getRuntimeDb();
  return rowsOf<{ id: string }>(await db.execute(sql`insert into workspaces (slug, name) values (${slug}, 'W') returning id`))[0]!.id;
}

/** Rows written by one transaction share its id (xmin): the number of commits the chain took. */
async function commitsOf(chain: string): Promise<number> {
  const db = await getRuntimeDb();
  return Number(rowsOf<{ n: number | string }>(await db.execute(sql`select count(distinct xmin::text) as n from audit_events where chain = ${chain}`))[0]!.n);
}

const createWorkspaceAudited = auditedStatement((db, value) => [sql`insert into workspaces (slug, name) values (${value('slug')}::text, 'Grouped')`]);

describe('group commit of audit appends', () => {
  it('writes appends that arrive together in shared commits, in the order they were made, without forking the chain', async () => {
    const db = await getRuntimeDb();
    const ws = await newWorkspace();
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.grouped', outcome: 'allow', details: { i } })));
    const rows = await db.select({ seq: auditEvents.seq, details: auditEvents.details }).from(auditEvents).where(eq(auditEvents.chain, ws)).orderBy(auditEvents.seq);
    expect(rows.map((row) => (row.details as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The first goes alone at once; the other 39 wait for it and go in groups of at most 32.
    expect(await commitsOf(ws)).toBe(3);
    expect(await verifyAuditChain(db, ws)).toMatchObject({ ok: true, checked: 40 });
  });

  it('writes a lone append at once, in a commit of its own', async () => {
    const db = await getRuntimeDb();
    const ws = await newWorkspace();
    for (let i = 0; i < 3; i++) await appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.alone', outcome: 'allow' });
    expect(await commitsOf(ws)).toBe(3);
  });

  it('fails only the append at fault: the rest of its group is written', async () => {
    const db = await getRuntimeDb();
    const ws = await newWorkspace();
    const taken = `taken-${crypto.randomUUID().slice(0, 8)}`;
    await newWorkspace(taken);
    const slugs = ['a', 'b', taken, 'c', 'd', 'e'].map((slug) => (slug === taken ? slug : `${slug}-${crypto.randomUUID().slice(0, 8)}`));
    const outcomes = await Promise.allSettled(
      slugs.map((slug) => createWorkspaceAudited(db, { actor, workspaceId: ws, action: 'test.create', outcome: 'allow', details: { slug } }, { slug })),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const rows = await db.select({ details: auditEvents.details }).from(auditEvents).where(eq(auditEvents.chain, ws)).orderBy(auditEvents.seq);
    expect(rows.map((row) => (row.details as { slug: string }).slug)).toEqual(slugs.filter((slug) => slug !== taken));
    const created = rowsOf<{ slug: string }>(await db.execute(sql`select slug from workspaces where name = 'Grouped' and slug = any(${`{${slugs.join(',')}}`}::text[])`));
    expect(created.map((row) => row.slug).sort()).toEqual(slugs.filter((slug) => slug !== taken).sort());
    expect((await verifyAuditChain(db, ws)).ok).toBe(true);
  });

  it('runs an append inside the caller’s transaction there, at once, and rolls it back with it', async () => {
    const db = await getRuntimeDb();
    const ws = await newWorkspace();
    await db
      .transaction(async (tx) => {
        await appendAuditEvent(tx, { actor, workspaceId: ws, action: 'test.in-tx', outcome: 'allow' });
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await db.select().from(auditEvents).where(eq(auditEvents.chain, ws))).toEqual([]);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('group commit when the database connection dies (Postgres)', () => {
  it('does not put a connection that died inside a grouped transaction back into the pool', async () => {
    const db = await getRuntimeDb();
    const select = compiledStatement<{ one: number }>(() => sql`select 1 as one`);
    const dieHere = compiledStatement<unknown>(() => sql`select pg_terminate_backend(pg_backend_pid())`);
    await expect(runInOneTransaction(db, [{ statement: select, values: {} }, { statement: dieHere, values: {} }])).rejects.toThrow();
    // Every query afterwards gets an answer (postgres.js 3.4.9 hangs those that land on a released dead reservation).
    for (let i = 0; i < 12; i++) {
      const answer = await Promise.race([select(db, {}).then(() => 'answered', () => 'failed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 3_000))]);
      expect(answer).not.toBe('hung');
    }
  });

  it('fails the appends of a group whose connection died, keeps the queue moving and the pool usable', async () => {
    const db = await getRuntimeDb();
    const ws = await newWorkspace();
    const { default: postgres } = await import('postgres');
    const name = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`))[0]!.name;
    const adminUrl = new URL(process.env.TEST_DATABASE_URL!);
    adminUrl.pathname = `/${name}`;
    const killer = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
    try {
      // Terminate every other backend of this database over and over while groups are in flight:
      // some die mid-transaction, some while reserved between statements.
      let killing = true;
      const kills = (async () => {
        while (killing) {
          // Not the backends still starting: postgres.js reads the type catalog right after connecting
          // and leaves a failure there unhandled (its own noise, not the group commit's).
          await killer`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid() and backend_start < now() - interval '300 milliseconds'`;
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
      })();
      const appends = Array.from({ length: 120 }, (_, i) =>
        appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.dying', outcome: 'allow', details: { i } }),
      );
      const settled = Promise.allSettled(appends);
      const outcome = await Promise.race([settled, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000))]);
      killing = false;
      await kills;
      // Every append has an answer (written or failed); none waits forever on a dead connection.
      expect(outcome).not.toBe('hung');

      // Afterwards the chain and the pool work again at once.
      // (A pooled connection killed while idle fails the one query that finds it dead.)
      const started = Date.now();
      let failedAfter = 0;
      for (;;) {
        try {
          await appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.after', outcome: 'allow' });
          break;
        } catch (error) {
          if (++failedAfter > 10 || Date.now() - started > 5_000) throw error;
        }
      }
      await Promise.all(Array.from({ length: 20 }, () => appendAuditEvent(db, { actor, workspaceId: ws, action: 'test.after', outcome: 'allow' })));
      expect(Date.now() - started).toBeLessThan(5_000);
      const written = (outcome as PromiseSettledResult<unknown>[]).filter((entry) => entry.status === 'fulfilled').length;
      const verified = await verifyAuditChain(db, ws);
      // An append whose connection died may have committed without its caller knowing (it failed):
      // the chain holds every acknowledged one, maybe some of those, and verifies.
      expect(verified.ok).toBe(true);
      expect(verified.checked).toBeGreaterThanOrEqual(written + 21);
      expect(verified.checked).toBeLessThanOrEqual(120 + 21);
    } finally {
      await killer.end({ timeout: 1 });
    }
  }, 40_000);
});
