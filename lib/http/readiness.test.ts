/**
 * Readiness as an orchestrator sees it: ready on a working database, 503 while this process shuts
 * down, and 503 within the probe's 2 s when the database cannot be reached or does not answer.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { runtimeDatabase, schema } from '@/db/runtime';
import { readinessResponse } from './readiness';

const SHUTTING_DOWN = Symbol.for('rp.shuttingDown');
const probe = () => new Request('http://localhost/api/ready');

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[SHUTTING_DOWN];
});

describe('readiness', () => {
  it('is ready when the database takes a write transaction and has every migration', async () => {
    // A running server's database is open already; the first open of a test database (clone and
    // migrate) can itself take longer than the probe's 2 s on a busy machine.
    await runtimeDatabase.open();
    const response = await readinessResponse(probe(), runtimeDatabase.open);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', migrations: { current: true } });
  });

  it('is not ready once the server has begun shutting down', async () => {
    (globalThis as Record<symbol, unknown>)[SHUTTING_DOWN] = true;
    const response = await readinessResponse(probe(), runtimeDatabase.open);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'not-ready', detail: expect.stringContaining('shutting down') });
  });

  it('is not ready when the database cannot be opened', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const response = await readinessResponse(probe(), () => Promise.reject(refused));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ code: 'not-ready', detail: expect.stringContaining('cannot be reached') });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('answers 503 within the probe deadline when the database accepts connections but never answers', async () => {
    // A peer that accepts TCP connections and says nothing: a hung server or a half-open network path.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const database = await openDatabase({ kind: 'runtime', schema, migrationsFolder: 'db/migrations/runtime', url: `postgres://rp@127.0.0.1:${port}/rp`, migrate: false });
    try {
      const started = Date.now();
      const response = await readinessResponse(probe(), async () => database);
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await database.close().catch(() => {});
      silent.close();
    }
  });
});
