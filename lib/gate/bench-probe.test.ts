/**
 * The bench's bare route (RP_BENCH=1 only) is the framework's ceiling the gate is compared with
 * (content/docs/operations/performance.md), so it must run what the docs say: one INSERT per request.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { benchInsert } from './bench-probe';

let db: RuntimeDb;
const probe = () => benchInsert(new Request('http://localhost/api/bench/insert', { method: 'POST' }));

beforeAll(async () => {
  db = await getRuntimeDb();
  await db.execute(sql`drop table if exists bench_probe`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await db.execute(sql`drop table if exists bench_probe`);
});

describe('the bench probe (the bare route)', () => {
  it('answers 404 unless the server runs for the bench', async () => {
    vi.stubEnv('RP_BENCH', '');
    expect((await probe()).status).toBe(404);
  });

  it('creates its table once per process and then runs one INSERT per request', async () => {
    vi.stubEnv('RP_BENCH', '1');
    expect((await probe()).status).toBe(201);
    expect((await probe()).status).toBe(201);
    const counted = async () => Number(rowsOf<{ count: number }>(await db.execute(sql`select count(*)::int as count from bench_probe`))[0]!.count);
    expect(await counted()).toBe(2);
    // Had the table statement run again on each request, the next request would recreate it.
    await db.execute(sql`alter table bench_probe rename to bench_probe_moved`);
    try {
      await expect(probe()).rejects.toThrow(/bench_probe/);
    } finally {
      await db.execute(sql`alter table bench_probe_moved rename to bench_probe`);
    }
    expect((await probe()).status).toBe(201);
    expect(await counted()).toBe(3);
  });
});
