import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { apiTokens, workspaces } from '@/db/schema/runtime';
import { TEST_AUDIT, testWorkspace } from '@/lib/testing/identity';
import { hashToken } from './format';
import { ChangeNotifiedCache } from '@/db/change-notified-cache';
import { tokenLookupCache } from './lookup-cache';
import { eventually } from '@/lib/testing/eventually';
import { createApiToken, lookupApiToken, revokeApiToken } from './store';

const inADay = () => new Date(Date.now() + 86_400_000);


/** A token whose lookup this process has cached (the listener is up and the entry is there). */
async function cachedToken() {
  const db = await getRuntimeDb();
  const workspace = await testWorkspace(db);
  const { token, record } = await createApiToken(db, workspace.id, { name: 'ci', scopes: ['gate:evaluate'], expiresAt: inADay() }, TEST_AUDIT);
  await eventually(async () => (await lookupApiToken(db, token)).ok && tokenLookupCache(db).get(hashToken(token)) !== undefined);
  return { db, workspace, token, record };
}

describe('the token lookup cache', () => {
  it('keeps a found token, so a burst of requests reads it once', async () => {
    const { db, token } = await cachedToken();
    expect(tokenLookupCache(db).get(hashToken(token))).toMatchObject({ token: { name: 'ci' } });
  });

  it('never lets a revoked token through in the process that revoked it', async () => {
    const { db, workspace, token, record } = await cachedToken();
    await revokeApiToken(db, workspace.id, record.id, TEST_AUDIT);
    expect(await lookupApiToken(db, token)).toMatchObject({ ok: false, failure: 'revoked' });
  });

  it('drops a token that an operator revoked in SQL, on the database’s notification', async () => {
    const { db, token, record } = await cachedToken();
    // Not through revokeApiToken: only the trigger's NOTIFY can tell this process.
    await db.execute(sql`update api_tokens set revoked_at = now() where id = ${record.id}`);
    await eventually(async () => (await lookupApiToken(db, token)).ok === false, 2_000);
    expect(await lookupApiToken(db, token)).toMatchObject({ ok: false, failure: 'revoked' });
  });

  it('drops a deleted token and every token when a workspace changes', async () => {
    const first = await cachedToken();
    await first.db.delete(apiTokens).where(eq(apiTokens.id, first.record.id));
    await eventually(async () => (await lookupApiToken(first.db, first.token)).ok === false, 2_000);
    expect(await lookupApiToken(first.db, first.token)).toEqual({ ok: false, failure: 'unknown' });

    const second = await cachedToken();
    await second.db.update(workspaces).set({ slug: `${second.workspace.slug}-renamed` }).where(eq(workspaces.id, second.workspace.id));
    await eventually(async () => tokenLookupCache(second.db).get(hashToken(second.token)) === undefined, 2_000);
    expect(await lookupApiToken(second.db, second.token)).toMatchObject({ ok: true, workspace: { slug: `${second.workspace.slug}-renamed` } });
  });

  it('still refuses an expired token that is in the cache', async () => {
    const { db, token } = await cachedToken();
    expect(await lookupApiToken(db, token, new Date(Date.now() + 2 * 86_400_000))).toMatchObject({ ok: false, failure: 'expired' });
  });
});

describe('ChangeNotifiedCache', () => {
  const ready = () => {
    const cache = new ChangeNotifiedCache<string>();
    cache.listenerReady();
    return cache;
  };

  it('caches nothing until the listener is confirmed, and nothing once it is lost', () => {
    const cache = new ChangeNotifiedCache<string>();
    cache.set('h', 'row', cache.version);
    expect(cache.get('h')).toBeUndefined();
    cache.listenerReady();
    cache.set('h', 'row', cache.version);
    expect(cache.get('h')).toBe('row');
    cache.listenerLost();
    expect(cache.get('h')).toBeUndefined();
    cache.set('h', 'row', cache.version);
    expect(cache.get('h')).toBeUndefined();
  });

  it('does not keep a read that began before a change was announced', () => {
    const cache = ready();
    const before = cache.version;
    cache.forget('other-token'); // the change arrives while the read is in flight
    cache.set('h', 'stale row', before);
    expect(cache.get('h')).toBeUndefined();
  });

  it('forgets after a few seconds whatever happens, and on a re-established listener', () => {
    const cache = ready();
    cache.set('h', 'row', cache.version, 1_000);
    expect(cache.get('h', 5_999)).toBe('row');
    expect(cache.get('h', 6_000)).toBeUndefined();
    cache.set('h', 'row', cache.version);
    cache.listenerReady();
    expect(cache.get('h')).toBeUndefined();
  });
});
