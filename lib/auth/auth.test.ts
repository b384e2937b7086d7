import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { auditEvents, sessions, users } from '@/db/schema/runtime';
import { PEER_ADDRESS_HEADER } from '@/lib/http/client-address';
import { TEST_AUDIT, testUser } from '@/lib/testing/identity';
import { bootstrapInstallation, bootstrapMessage } from './bootstrap';
import { resolveExternalIdentity } from './identities';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { proxyIdentity } from './proxy';
import { createSession, listActiveSessions, loadActiveSession, revokeAllSessions } from './sessions';
import { configureSecrets } from '@/lib/secrets';
import { oidcClientSecret, oidcSettings, proxySettings, proxySharedSecret, publicBaseUrl } from './settings';
import { consumeSignInLink, createSignInLink } from './sign-in-links';
import { setPassword } from './users';

describe('passwords', () => {
  it('are argon2id hashes that verify only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'Correct horse battery staple')).toBe(false);
    expect(await verifyPassword(null, 'anything')).toBe(false);
  });

  it('are counted in code points and refused when common, padded common, repetitive or built on the person', () => {
    // 12 emoji are 24 UTF-16 units: the limit counts what a person counts.
    expect(passwordProblem('🔑'.repeat(11) + 'x')).toBeNull();
    expect(passwordProblem('🔑'.repeat(6))).toMatch(/at least 12/);
    expect(passwordProblem('é'.repeat(256) + 'x')).toMatch(/at most 256/);
    expect(passwordProblem('1q2w3e4r5t6y')).toMatch(/most common passwords/);
    expect(passwordProblem('QWERTY123456')).toMatch(/most common passwords/);
    expect(passwordProblem('Password1234!')).toMatch(/most common passwords/);
    expect(passwordProblem('!!Sunshine2026')).toMatch(/most common passwords/);
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/repeats/);
    expect(passwordProblem('abcabcabcabcabc')).toMatch(/repeats/);
    expect(passwordProblem('margaretha2026', ['margaretha@acme.test', 'Margaretha Ops'])).toMatch(/your name, your email/);
    expect(passwordProblem('ReleasePassport!')).toMatch(/product’s name/);
    expect(passwordProblem('tangerine orbit kettle', ['margaretha@acme.test'])).toBeNull();
  });
});

describe('the address links are built on', () => {
  it('is RP_PUBLIC_URL, else the port of the server running on this data directory, else localhost:3000', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-server-file-'));
    try {
      expect(publicBaseUrl({ RP_DATA_DIR: dir })).toBe('http://localhost:3000');
      fs.mkdirSync(path.join(dir, 'runtime'));
      // What the launcher records while it runs (here: this process stands in for it).
      fs.writeFileSync(path.join(dir, 'runtime', 'server.json'), JSON.stringify({ pid: process.pid, port: 4321 }));
      expect(publicBaseUrl({ RP_DATA_DIR: dir })).toBe('http://localhost:4321');
      expect(publicBaseUrl({ RP_DATA_DIR: dir, PORT: '5000' })).toBe('http://localhost:5000');
      expect(publicBaseUrl({ RP_DATA_DIR: dir, RP_PUBLIC_URL: 'https://rp.acme.test/' })).toBe('https://rp.acme.test');
      // A server that is gone no longer counts.
      fs.writeFileSync(path.join(dir, 'runtime', 'server.json'), JSON.stringify({ pid: 2 ** 22 + 12_345, port: 4321 }));
      expect(publicBaseUrl({ RP_DATA_DIR: dir })).toBe('http://localhost:3000');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sign-in links', () => {
  it('work once, before they expire', async () => {
    const db = await getRuntimeDb();
    const user = await testUser(db);
    const link = await createSignInLink(db, user.id, 60_000);
    expect(link.url).toMatch(/\/login\/link#[A-Za-z0-9_-]{43}$/);
    const [first, second] = await Promise.all([consumeSignInLink(db, link.secret), consumeSignInLink(db, link.secret)]);
    expect([first?.id, second?.id].filter(Boolean)).toEqual([user.id]);
    const expired = await createSignInLink(db, user.id, 1000);
    expect(await consumeSignInLink(db, expired.secret, new Date(Date.now() + 5000))).toBeNull();
    expect(await consumeSignInLink(db, 'not-a-secret')).toBeNull();
  });

  it('issuing a new link ends the earlier unused ones', async () => {
    const db = await getRuntimeDb();
    const user = await testUser(db);
    const earlier = await createSignInLink(db, user.id, 3_600_000);
    const newer = await createSignInLink(db, user.id, 3_600_000);
    expect(await consumeSignInLink(db, earlier.secret)).toBeNull();
    expect((await consumeSignInLink(db, newer.secret))?.id).toBe(user.id);
  });
});

describe('sessions', () => {
  it('end at once when revoked or when the user is disabled', async () => {
    const db = await getRuntimeDb();
    const user = await testUser(db);
    const [a, b] = [await createSession(db, { userId: user.id, method: 'local', ip: null, userAgent: null }), await createSession(db, { userId: user.id, method: 'oidc', ip: null, userAgent: null })];
    expect((await listActiveSessions(db, user.id)).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect(await revokeAllSessions(db, user.id, TEST_AUDIT, b.id)).toBe(1);
    expect(await loadActiveSession(db, a.id)).toBeNull();
    expect(await loadActiveSession(db, b.id)).toMatchObject({ id: b.id, user: { email: user.email } });
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    expect(await loadActiveSession(db, b.id)).toBeNull();
  });

  it('expire after their lifetime', async () => {
    const db = await getRuntimeDb();
    const user = await testUser(db);
    const session = await createSession(db, { userId: user.id, method: 'local', ip: null, userAgent: null });
    expect(await loadActiveSession(db, session.id, new Date(Date.now() + 9 * 3_600_000))).toBeNull();
  });
});

describe('external identities', () => {
  it('create a person on first sign-in, then recognise the identity', async () => {
    const db = await getRuntimeDb();
    const identity = { provider: 'oidc:https://idp.test', subject: 'sub-1', email: 'Ada@Example.test', emailVerified: true, name: 'Ada' };
    const first = await resolveExternalIdentity(db, identity, TEST_AUDIT);
    expect(first).toMatchObject({ ok: true, email: 'ada@example.test' });
    expect(await resolveExternalIdentity(db, { ...identity, email: 'changed@example.test' }, TEST_AUDIT)).toEqual(first);
  });

  it('link to an existing person only when the provider verified the email', async () => {
    const db = await getRuntimeDb();
    const existing = await testUser(db, { email: 'grace@example.test' });
    const unverified = await resolveExternalIdentity(db, { provider: 'oidc:https://idp.test', subject: 'sub-2', email: 'grace@example.test', emailVerified: false, name: '' }, TEST_AUDIT);
    expect(unverified).toMatchObject({ ok: false, reason: expect.stringMatching(/did not verify/) });
    const verified = await resolveExternalIdentity(db, { provider: 'oidc:https://idp.test', subject: 'sub-2', email: 'grace@example.test', emailVerified: true, name: '' }, TEST_AUDIT);
    expect(verified).toMatchObject({ ok: true, userId: existing.id });
    expect(await resolveExternalIdentity(db, { provider: 'oidc:https://idp.test', subject: 'sub-3', email: null, emailVerified: true, name: '' }, TEST_AUDIT)).toMatchObject({ ok: false });
  });

  it('never create, reserve or link an account from an unverified email', async () => {
    const db = await getRuntimeDb();
    const usersBefore = (await db.select({ n: count() }).from(users))[0]!.n;
    const attacker = { provider: 'oidc:https://idp.test', subject: 'attacker', email: 'victim@example.test', emailVerified: false, name: 'Mallory' };
    expect(await resolveExternalIdentity(db, attacker, TEST_AUDIT)).toMatchObject({ ok: false, reason: expect.stringMatching(/did not verify victim@example.test/) });
    expect((await db.select({ n: count() }).from(users))[0]!.n).toBe(usersBefore);
    // The real person, verified, gets an account of their own; the attacker's identity still reaches nothing.
    const victim = await resolveExternalIdentity(db, { ...attacker, subject: 'victim', emailVerified: true, name: 'Victim' }, TEST_AUDIT);
    expect(victim).toMatchObject({ ok: true, email: 'victim@example.test' });
    expect(await resolveExternalIdentity(db, attacker, TEST_AUDIT)).toMatchObject({ ok: false });
    expect(await resolveExternalIdentity(db, { ...attacker, email: 'VICTIM@example.test.' }, TEST_AUDIT)).toMatchObject({ ok: false });
  });

  it('refuse look-alike spellings of an address (Kelvin sign, fullwidth) and fold a trailing dot into the one account', async () => {
    const db = await getRuntimeDb();
    const kate = await testUser(db, { email: 'kate@example.test' });
    for (const [subject, email] of [
      ['kelvin', '\u212Aate@example.test'],
      ['fullwidth', '\uFF4Bate@\uFF45xample.test'],
    ] as const) {
      const resolved = await resolveExternalIdentity(db, { provider: 'oidc:https://idp.test', subject, email, emailVerified: true, name: '' }, TEST_AUDIT);
      expect(resolved).toMatchObject({ ok: false, reason: expect.stringMatching(/look-alike.*kate@example\.test/) });
    }
    const trailingDot = await resolveExternalIdentity(db, { provider: 'oidc:https://idp.test', subject: 'trailing-dot', email: 'Kate@Example.test.', emailVerified: true, name: '' }, TEST_AUDIT);
    expect(trailingDot).toMatchObject({ ok: true, userId: kate.id, email: 'kate@example.test' });
  });
});

describe('trusted proxy headers', () => {
  const shared = 'a-shared-secret-of-some-length';
  const settings = proxySettings({ RP_AUTH_PROXY_ADDRESSES: '10.0.0.0/8' })!;
  const request = (headers: Record<string, string>) => new Headers({ 'x-forwarded-email': 'ops@example.test', ...headers });

  it('are believed from a configured proxy address with the shared secret', () => {
    expect(proxyIdentity(request({ [PEER_ADDRESS_HEADER]: '10.1.2.3', 'x-rp-proxy-secret': shared }), settings, shared)).toEqual({ ok: true, email: 'ops@example.test', name: '' });
  });

  it('are refused from anywhere else, without the secret, or when no secret is configured', () => {
    expect(proxyIdentity(request({ [PEER_ADDRESS_HEADER]: '192.0.2.1', 'x-rp-proxy-secret': shared }), settings, shared)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a configured proxy/) });
    expect(proxyIdentity(request({ 'x-rp-proxy-secret': shared, 'x-forwarded-for': '10.1.2.3' }), settings, shared)).toMatchObject({ ok: false });
    expect(proxyIdentity(request({ [PEER_ADDRESS_HEADER]: '10.1.2.3', 'x-rp-proxy-secret': 'wrong' }), settings, shared)).toMatchObject({ ok: false, reason: expect.stringMatching(/shared secret/) });
    expect(proxyIdentity(request({ [PEER_ADDRESS_HEADER]: '10.1.2.3' }), settings, shared)).toMatchObject({ ok: false });
    expect(proxyIdentity(request({ [PEER_ADDRESS_HEADER]: '10.1.2.3', 'x-rp-proxy-secret': shared }), settings, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/not configured/) });
  });

  it('are off without proxy addresses, and refuse a bad address list loudly', () => {
    expect(proxySettings({})).toBeNull();
    expect(() => proxySettings({ RP_AUTH_PROXY_ADDRESSES: 'proxy.local' })).toThrow(/RP_AUTH_PROXY_ADDRESSES/);
  });
});

describe('sign-in secrets through lib/secrets', () => {
  it('come from the variable or its _FILE, and a short proxy secret is refused', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rp-secret-')), 'secret');
    fs.writeFileSync(file, 'oidc-secret-from-a-file\n');
    try {
      configureSecrets({ env: { RP_OIDC_CLIENT_SECRET_FILE: file, RP_AUTH_PROXY_SECRET: 'short' } });
      expect(await oidcClientSecret()).toBe('oidc-secret-from-a-file');
      expect(await proxySharedSecret()).toBeNull();
      configureSecrets({ env: { RP_AUTH_PROXY_SECRET: 'a-shared-secret-of-some-length' } });
      expect(await proxySharedSecret()).toBe('a-shared-secret-of-some-length');
      expect(await oidcClientSecret()).toBeNull();
    } finally {
      configureSecrets();
    }
    expect(oidcSettings({})).toBeNull();
    expect(oidcSettings({ RP_OIDC_ISSUER: 'https://idp.test', RP_OIDC_CLIENT_ID: 'rp' })).toEqual({ issuer: 'https://idp.test', clientId: 'rp', name: 'single sign-on' });
  });
});

describe('first start', () => {
  it('creates the admin and the workspace once, prints a link, and a new link at every start until the admin has a password', async () => {
    const db = await getRuntimeDb();
    const [before] = await db.select({ n: count() }).from(users);
    // This file's database has people already (the tests above): bootstrap only acts on an empty one.
    if ((before?.n ?? 0) > 0) {
      await db.delete(sessions);
      await db.delete(users);
    }
    const first = await bootstrapInstallation(db, { RP_BOOTSTRAP_ADMIN_EMAIL: 'root@example.test', RP_BOOTSTRAP_WORKSPACE: 'main' });
    expect(first).toMatchObject({ created: true, email: 'root@example.test', workspace: 'main' });
    expect(bootstrapMessage(first!)).toContain(first!.link!.url);
    const again = await bootstrapInstallation(db, {});
    expect(again).toMatchObject({ created: false, email: 'root@example.test' });
    expect(await consumeSignInLink(db, first!.link!.url.split('#')[1]!)).toBeNull(); // replaced by the new one
    const user = await consumeSignInLink(db, again!.link!.url.split('#')[1]!);
    expect(user?.email).toBe('root@example.test');
    // Signed in once, but no password yet (the session may end before one is set): still a link.
    await createSession(db, { userId: user!.id, method: 'link', ip: null, userAgent: null });
    const afterSignIn = await bootstrapInstallation(db, {});
    expect(afterSignIn).toMatchObject({ created: false, email: 'root@example.test' });
    expect(bootstrapMessage(afterSignIn!)).toContain('has no password yet');
    await setPassword(db, user!.id, 'a long enough passphrase 42', TEST_AUDIT);
    expect(await bootstrapInstallation(db, {})).toBeNull();
    const events = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.actorLabel, 'first start'));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'workspace.create', 'member.add']));
  });
});
