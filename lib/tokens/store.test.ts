import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { apiTokens, auditEvents } from '@/db/schema/runtime';
import { TEST_AUDIT, testWorkspace } from '@/lib/testing/identity';
import { hashToken } from './format';
import { createApiToken, listApiTokens, lookupApiToken, recordApiTokenUse, revokeApiToken, type TokenInputError } from './store';

const inADay = () => new Date(Date.now() + 86_400_000);

describe('API tokens', () => {
  it('are shown once and stored as a sha256 only', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const { token, record } = await createApiToken(db, ws.id, { name: 'deploy', scopes: ['gate:evaluate'], expiresAt: inADay() }, TEST_AUDIT);
    expect(token).toMatch(/^rp_/);
    expect(record).not.toHaveProperty('tokenHash');
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, record.id));
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.prefix).toBe(token.slice(0, 11));
    const events = await db.select().from(auditEvents).where(eq(auditEvents.resourceId, record.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'token.create', workspaceId: ws.id, outcome: 'allow' });
    expect(JSON.stringify(events[0])).not.toContain(token);
  });

  it('say exactly why they cannot be used', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const { token, record } = await createApiToken(db, ws.id, { name: 'ci', scopes: ['passport:read'], expiresAt: inADay() }, TEST_AUDIT);
    expect(await lookupApiToken(db, token)).toMatchObject({ ok: true, workspace: { id: ws.id, slug: ws.slug } });
    expect(await lookupApiToken(db, 'rp_nope')).toEqual({ ok: false, failure: 'malformed' });
    expect(await lookupApiToken(db, token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a'))).toEqual({ ok: false, failure: 'malformed' });
    const other = (await createApiToken(db, ws.id, { name: 'x', scopes: ['passport:read'], expiresAt: inADay() }, TEST_AUDIT)).token;
    await db.delete(apiTokens).where(eq(apiTokens.tokenHash, hashToken(other)));
    expect(await lookupApiToken(db, other)).toEqual({ ok: false, failure: 'unknown' });
    expect(await lookupApiToken(db, token, new Date(Date.now() + 2 * 86_400_000))).toMatchObject({ ok: false, failure: 'expired' });
    expect(await revokeApiToken(db, ws.id, record.id, TEST_AUDIT)).toMatchObject({ id: record.id });
    expect(await lookupApiToken(db, token)).toMatchObject({ ok: false, failure: 'revoked' });
    expect(await revokeApiToken(db, ws.id, record.id, TEST_AUDIT)).toBeNull();
  });

  it('cannot be revoked from another workspace', async () => {
    const db = await getRuntimeDb();
    const [a, b] = [await testWorkspace(db), await testWorkspace(db)];
    const { token, record } = await createApiToken(db, a.id, { name: 'ci', scopes: ['passport:read'], expiresAt: inADay() }, TEST_AUDIT);
    expect(await revokeApiToken(db, b.id, record.id, TEST_AUDIT)).toBeNull();
    expect((await lookupApiToken(db, token)).ok).toBe(true);
    expect(await listApiTokens(db, b.id)).toEqual([]);
  });

  it('refuses bad input with the field that is wrong', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const attempt = (input: Record<string, unknown>) =>
      createApiToken(db, ws.id, { name: 'ci', scopes: ['gate:evaluate'], expiresAt: inADay(), ...input } as never, TEST_AUDIT).then(
        () => null,
        (error: TokenInputError) => error.issues.map((issue) => issue.path),
      );
    expect(await attempt({ scopes: ['member:manage'] })).toEqual(['scopes.0']);
    expect(await attempt({ scopes: [] })).toEqual(['scopes']);
    expect(await attempt({ name: '  ' })).toEqual(['name']);
    expect(await attempt({ expiresAt: new Date(Date.now() - 1000) })).toEqual(['expiresAt']);
    expect(await attempt({ expiresAt: new Date(Date.now() + 400 * 86_400_000) })).toEqual(['expiresAt']);
    expect(await attempt({ services: ['Not A Slug'] })).toEqual(['services.0']);
    expect(await attempt({ dpopJkt: 'short' })).toEqual(['dpopJkt']);
    expect(await listApiTokens(db, ws.id)).toEqual([]);
  });

  it('record the last use (time and address), without a write on every request', async () => {
    const db = await getRuntimeDb();
    const ws = await testWorkspace(db);
    const { token } = await createApiToken(db, ws.id, { name: 'ci', scopes: ['gate:evaluate'], expiresAt: inADay() }, TEST_AUDIT);
    const found = await lookupApiToken(db, token);
    if (!found.ok) throw new Error('token not found');
    const t0 = new Date();
    await recordApiTokenUse(db, found.record, '10.1.2.3', t0);
    const [after] = await listApiTokens(db, ws.id);
    expect(after).toMatchObject({ lastUsedIp: '10.1.2.3', lastUsedAt: t0 });
    // The look-up cache learns of the write through LISTEN/NOTIFY: eventually, not at once.
    let again = await lookupApiToken(db, token);
    for (let i = 0; i < 50 && again.ok && again.record.lastUsedAt?.getTime() !== t0.getTime(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await lookupApiToken(db, token);
    }
    if (!again.ok) throw new Error('token not found');
    await recordApiTokenUse(db, again.record, '10.1.2.3', new Date(t0.getTime() + 1000)); // recent, same address: skipped
    expect((await listApiTokens(db, ws.id))[0]!.lastUsedAt).toEqual(t0);
    await recordApiTokenUse(db, again.record, '10.9.9.9', new Date(t0.getTime() + 2000)); // new address: written
    expect((await listApiTokens(db, ws.id))[0]!.lastUsedIp).toBe('10.9.9.9');
  });
});
