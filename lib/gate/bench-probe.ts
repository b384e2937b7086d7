/**
 * The framework's own ceiling for `npm run bench` (content/docs/operations/performance.md): a bare route handler of
 * this app doing one INSERT, no wrapper, no logic. It exists only when the server runs with
 * RP_BENCH=1 (otherwise it answers 404). Like /api/v1, its path is outside the middleware's
 * matcher, so it is compared with the gate on equal terms.
 */
import { sql } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { settings } from '@/lib/config/settings';
import { problem, problemResponse } from '@/lib/http/problem';

/** The probe table, created once per process (again after a failure). */
let ready: Promise<unknown> | null = null;

export async function benchInsert(request: Request): Promise<Response> {
  void request;
  if (!settings().benchProbe) return problemResponse(problem('not-found', 'Not found.'));
  const db = await getRuntimeDb();
  // Promise.resolve runs the statement once: drizzle's query is a lazy thenable that runs again
  // each time it is awaited, so keeping it here ran CREATE TABLE IF NOT EXISTS on every request
  // and the bare route measured two statements, not one.
  ready ??= Promise.resolve(
    db.execute(sql`create table if not exists bench_probe (id bigserial primary key, at timestamptz not null default now(), note text not null)`),
  ).catch((error: unknown) => {
    ready = null;
    throw error;
  });
  await ready;
  await db.execute(sql`insert into bench_probe (note) values ('probe')`);
  return Response.json({ ok: true }, { status: 201 });
}
