import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { testWorkspace } from '@/lib/testing/identity';
import { rowsOf } from '@/db/rows';
import { decodePassportCursor, eachPassport, listPassports, passportPageQuery, passportQueryScope } from './passports';
import { generatePassports, withIndexesRebuilt } from './testing/bulk-passports';

let db: RuntimeDb;

async function idsInOrder(workspaceId: string, where = sql`true`): Promise<string[]> {
  const result = await db.execute<{ id: string }>(
    sql`select id from passports where workspace_id = ${workspaceId} and ${where} order by created_at desc, id desc`,
  );
  return rowsOf<{ id: string }>(result).map((row) => row.id);
}

beforeAll(async () => {
  db = await getRuntimeDb();
});

describe('keyset pagination of the passports list', () => {
  let workspace: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    workspace = await testWorkspace(db);
    other = await testWorkspace(db);
    // Seven passports share each instant: the id must break the ties or pages would skip rows.
    await generatePassports(db, workspace.id, { passports: 2_345, perRelease: 5, tieEvery: 7, services: 3, environments: ['staging', 'production'] });
    await generatePassports(db, other.id, { passports: 300, perRelease: 5, services: 3, environments: ['staging', 'production'] });
  });

  it('walks every passport of the workspace exactly once, newest first, and none of another workspace', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPassports(db, workspace.id, {}, { cursor, limit: 100 });
      expect(page.rows.length).toBeLessThanOrEqual(100);
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(24);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await idsInOrder(workspace.id));
    const foreign = new Set(await idsInOrder(other.id));
    expect(seen.some((id) => foreign.has(id))).toBe(false);
  });

  it('applies every filter together and pages through the filtered rows', async () => {
    const filters = { service: 'svc-01', environment: 'production', decision: 'allow', mode: 'enforce', from: '2025-01-01', to: '2025-01-02' } as const;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listPassports(db, workspace.id, filters, { cursor, limit: 7 });
      for (const row of page.rows) {
        expect(row).toMatchObject({ service: 'svc-01', environment: 'production', production: true, decision: 'allow', mode: 'enforce' });
        expect(row.evaluatedAt.getTime()).toBeLessThan(Date.parse('2025-01-03T00:00:00Z'));
        expect(row.sourceSha).toMatch(/^[0-9a-f]{40}$/);
      }
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.next;
    } while (cursor);
    const expected = await idsInOrder(
      workspace.id,
      sql`decision = 'allow' and mode = 'enforce' and created_at < '2025-01-03T00:00:00Z'
          and service_id = (select id from services where workspace_id = ${workspace.id} and slug = 'svc-01')
          and environment_id = (select id from environments where workspace_id = ${workspace.id} and slug = 'production')`,
    );
    expect(expected.length).toBeGreaterThan(7);
    expect(seen).toEqual(expected);
  });

  it('returns nothing for a service the workspace does not have, and starts over on a cursor that is not ours', async () => {
    expect(await listPassports(db, workspace.id, { service: 'no-such-service' })).toEqual({ rows: [], next: null });
    expect(decodePassportCursor('not-a-cursor')).toBeNull();
    expect(decodePassportCursor(Buffer.from(JSON.stringify(["2025-01-01'; drop table passports; --", 'x'])).toString('base64url'))).toBeNull();
    const first = await listPassports(db, workspace.id, {}, { cursor: 'garbage', limit: 3 });
    expect(first.rows.map((row) => row.id)).toEqual((await idsInOrder(workspace.id)).slice(0, 3));
  });

  it('streams exports page by page in the same order', async () => {
    const streamed: string[] = [];
    for await (const row of eachPassport(db, workspace.id, { environment: 'staging' }, 97)) streamed.push(row.id);
    expect(streamed).toEqual(
      await idsInOrder(workspace.id, sql`environment_id = (select id from environments where workspace_id = ${workspace.id} and slug = 'staging')`),
    );
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Total Time'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

function describePlan(plan: PlanNode, depth = 0): string {
  const what = [plan['Node Type'], plan['Index Name'] ? `using ${plan['Index Name']}` : '', plan['Relation Name'] ? `on ${plan['Relation Name']}` : ''].filter(Boolean).join(' ');
  return [`${'  '.repeat(depth)}${what} (rows=${plan['Actual Rows']}, ${plan['Actual Total Time']?.toFixed(3)} ms)`, ...(plan.Plans ?? []).map((child) => describePlan(child, depth + 1))].join('\n');
}

// The plan check needs the real Postgres planner and a realistic volume (PGlite has neither).
describe.skipIf(!process.env.TEST_DATABASE_URL)('with a million passports on Postgres', () => {
  let big: { id: string };
  let small: { id: string };
  let deep: { at: string; id: string };

  beforeAll(async () => {
    big = await testWorkspace(db, 'million');
    small = await testWorkspace(db, 'thousand');
    await withIndexesRebuilt(db, 'passports', async () => {
      // The oldest 300,000 are shadow: the history of a workspace before its switch to enforce.
      await generatePassports(db, big.id, { passports: 1_000_000, shadowBefore: 300_000 });
      await generatePassports(db, small.id, { passports: 1_000 });
    });
    await db.execute(sql`analyze releases`);
    const [middle] = rowsOf<{ at: string; id: string }>(
      await db.execute(sql`select created_at::text as at, id from passports where workspace_id = ${big.id} order by created_at desc, id desc offset 500000 limit 1`),
    );
    deep = middle!;
  }, 600_000);

  const cases: Array<{ name: string; filters: Record<string, string>; deep?: boolean; thousand?: boolean }> = [
    { name: 'the workspace of a thousand beside it, first page', filters: {}, thousand: true },
    { name: 'no filter, first page', filters: {} },
    { name: 'no filter, page 10,000 (half a million rows in)', filters: {}, deep: true },
    { name: 'service', filters: { service: 'svc-03' } },
    { name: 'environment', filters: { environment: 'production' } },
    { name: 'service and environment', filters: { service: 'svc-03', environment: 'production' }, deep: true },
    { name: 'decision deny', filters: { decision: 'deny' }, deep: true },
    { name: 'mode shadow (only old passports)', filters: { mode: 'shadow' } },
    { name: 'one day', filters: { from: '2025-03-01', to: '2025-03-01' } },
  ];

  for (const testCase of cases) {
    it(`pages "${testCase.name}" with one index range scan that stops after the page`, async () => {
      const workspace = testCase.thousand ? small : big;
      const scope = (await passportQueryScope(db, workspace.id, testCase.filters))!;
      const query = passportPageQuery(db, workspace.id, scope, testCase.deep ? deep : null, 51);
      const [row] = rowsOf<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>(
        await db.execute(sql`explain (analyze, buffers, format json) ${query}`),
      );
      const { Plan: plan, 'Execution Time': time } = row!['QUERY PLAN'][0]!;
      const all = nodes(plan);
      const scans = all.filter((node) => node['Relation Name'] === 'passports');
      console.log(`\n[${testCase.name}] ${time.toFixed(3)} ms\n${describePlan(plan)}`);
      expect(scans).toHaveLength(1);
      expect(scans[0]!['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(scans[0]!['Index Name']).toMatch(/^passports_workspace_.*page_idx$/);
      // No sort above the passports scan sees more than one page: the index gives the order.
      for (const sort of all.filter((node) => node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort')) {
        expect(nodes(sort).some((node) => node['Relation Name'] === 'passports' && (node['Actual Rows'] ?? 0) > 51)).toBe(false);
      }
      expect(scans[0]!['Actual Rows']).toBeLessThanOrEqual(51);
    });
  }
});
