/**
 * The installed postgres.js carries our patch (patches/postgres+3.4.9.patch): after a connection
 * dies in the middle of a query's rows, the next query on the replacement connection gets its own
 * answer. Unpatched, it got the dead backend's fatal error, and the one after that its rows at a
 * stale offset: `[row] = rows` read undefined, which the gate answered as "unknown API token"
 * (401) during a Postgres crash restart under load.
 */
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';

const ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const clients: postgres.Sql[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end({ timeout: 1 }).catch(() => {})));
});

function client(): postgres.Sql {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, backoff: () => 0.05 });
  clients.push(sql);
  return sql;
}

describe('postgres.js after a backend dies mid-query (patched)', () => {
  it('the queries after the reconnection get their own complete answers', async () => {
    const sql = client();
    const admin = client();
    const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    // Rows stream until row 500, which sleeps long enough for the backend to be terminated.
    const streaming = sql`select i, pg_sleep(case when i = 500 then 5 else 0 end) from generate_series(1, 1000) i`.then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin`select pg_terminate_backend(${backend!.pid})`;
    expect(await streaming).toMatch(/CONNECTION_CLOSED|57P01/);

    const first = await sql<{ one: number }[]>`select 1 as one`;
    expect([...first]).toEqual([{ one: 1 }]);
    const second = await sql<{ two: number }[]>`select 2 as two`;
    expect([...second]).toEqual([{ two: 2 }]);
  });

  it('a query pipelined behind one that failed mid-stream gets its rows from index 0', async () => {
    const sql = client();
    const failing = sql`select i, 1 / (4 - i) as boom from generate_series(1, 10) i`.then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    const pipelined = sql<{ x: number }[]>`select x from generate_series(1, 5) x`;
    expect(await failing).toBe('22012');
    expect([...(await pipelined)].map((row) => row.x)).toEqual([1, 2, 3, 4, 5]);
  });
});

interface Settle {
  resolve(value?: unknown): void;
  reject(error: unknown): void;
}

describe('postgres.js when a pipelined query is cancelled before its turn (patched)', () => {
  it('every query on the connection still gets its own answer', async () => {
    const sql = client();
    await sql`select 1`;
    const answer = (query: Promise<{ v: string }[]>) => query.then((rows) => rows[0]?.v, (error: Error) => `error: ${error.message}`);
    const slow = sql<{ v: string }[]>`select pg_sleep(0.3), 'slow' as v`;
    const cancelled = sql<{ v: string }[]>`select 'cancelled' as v`;
    const next = sql<{ v: string }[]>`select 'next' as v`;
    const answers = Promise.all([answer(slow), answer(cancelled), answer(next)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // What a deadline does to a query it gives up on (db/client.ts): reject it, then cancel it.
    const internals = cancelled as unknown as { state: unknown; active: boolean; reject(error: Error): void; cancel(): unknown; cancelled: Settle | null };
    expect(internals.state && !internals.active).toBeTruthy(); // sent, behind the slow one
    internals.reject(new Error('deadline'));
    // postgres.js sends the cancel request when the query's turn comes, on a connection of its own,
    // and it reaches whatever the backend runs when it arrives (why db/client.ts no longer cancels a
    // query waiting its turn). Known here by wrapping its settle functions: the next query waits for
    // that request to be delivered, so a slow machine cannot put the two together.
    void internals.cancel();
    const delivered = new Promise<void>((resolve) => {
      const settle = internals.cancelled!;
      internals.cancelled = { resolve: (value) => (settle.resolve(value), resolve()), reject: (error) => (settle.reject(error), resolve()) };
    });
    expect(await answers).toEqual(['slow', 'error: deadline', 'next']);
    await delivered;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server signals the backend after the request's connection closes
    expect((await sql<{ v: string }[]>`select 'after' as v`)[0]?.v).toBe('after');
  });
});
