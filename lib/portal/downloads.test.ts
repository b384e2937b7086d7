import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getOwnerDb } from '@/db/owner';
import { customers } from '@/db/schema/owner';
import { endEntitlements, grantPaidPeriod } from '@/lib/billing/entitlements';
import { paidPlans } from '@/lib/billing/plans';
import { ed25519Pem } from '@/lib/license/testing';
import { DOWNLOAD_LINK_TTL_SECONDS, signedDownloadPath } from './download-links';
import { serveReleaseFile } from './download-route';
import { currentRelease } from './releases';
import { writeReleaseFixture } from './testing';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-release-'));
const signing = ed25519Pem();
const teamPlan = paidPlans().find((plan) => plan.id === 'team')!;

const TRIAL = 'release-passport-runtime-1.2.3-linux-x64.tar.gz';
const IMAGE = 'release-passport-runtime-image-1.2.3.tar';
const AIRGAP = 'release-passport-airgap-1.2.3.tar';

function publish(target = dir) {
  return writeReleaseFixture({
    dir: target,
    version: '1.2.3',
    signingKeyPem: signing.privatePem,
    artifacts: [
      { file: TRIAL, bytes: 'trial installer bytes' },
      { file: IMAGE, bytes: 'runtime image bytes', title: 'Runtime container image', entitlement: 'packages' },
      { file: AIRGAP, bytes: 'air-gapped bundle bytes', title: 'Air-gapped bundle', entitlement: 'air-gapped-bundle' },
    ],
  });
}

async function get(pathAndQuery: string) {
  const url = new URL(pathAndQuery, 'http://localhost');
  const name = decodeURIComponent(url.pathname.split('/').pop()!);
  const response = await serveReleaseFile(new Request(url), name);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function teamCustomer(email: string) {
  const db = await getOwnerDb();
  const [customer] = await db.insert(customers).values({ email }).returning();
  const now = new Date();
  await grantPaidPeriod(db, { customerId: customer!.id, subscriptionId: null, plan: teamPlan, paidThrough: new Date(now.getTime() + 30 * 86_400_000), eventId: 'evt_test', now });
  return customer!;
}

beforeAll(() => {
  vi.stubEnv('RP_RELEASES_DIR', dir);
  vi.stubEnv('RP_DOWNLOAD_LINK_SECRET', 'download-link-secret-for-tests-0123456789');
  publish();
});
afterAll(() => {
  vi.stubEnv('RP_RELEASES_DIR', undefined);
  vi.stubEnv('RP_DOWNLOAD_LINK_SECRET', undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the published release', () => {
  it('is offered once its checksum signature and every digest check out', () => {
    const lookup = currentRelease();
    expect(lookup.published).toBe(true);
    if (!lookup.published) return;
    expect(lookup.release.artifacts.map((artifact) => artifact.file)).toHaveLength(3);
    expect(lookup.release.problems).toEqual([]);
    expect(lookup.release.keyFingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  });

  it('withholds an artifact whose bytes changed after publishing', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-release-'));
    publish(other);
    fs.writeFileSync(path.join(other, IMAGE), 'runtime image bytes, swapped');
    const lookup = currentRelease(other);
    expect(lookup.published && lookup.release.artifacts.map((artifact) => artifact.file)).not.toContain(IMAGE);
    expect(lookup.published && lookup.release.problems[0]).toBe(`${IMAGE}: the file has 28 bytes, the manifest says 19`);
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('withholds an artifact whose signature does not verify, and offers nothing under a key that is not the one fingerprinted', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-release-'));
    publish(other);
    const signature = fs.readFileSync(path.join(other, `${TRIAL}.sig`));
    signature[0]! ^= 0x01;
    const manifestFile = path.join(other, 'release-manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.artifacts[0].signature = signature.toString('base64');
    fs.writeFileSync(path.join(other, `${TRIAL}.sig`), signature);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const lookup = currentRelease(other);
    expect(lookup.published && lookup.release.problems).toEqual([`${TRIAL}: the signature does not verify with the release key`]);

    manifest.publicKey = ed25519Pem().publicPem;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest) + ' ');
    expect(currentRelease(other)).toMatchObject({ published: false, reason: expect.stringMatching(/fingerprint/) });
    fs.rmSync(other, { recursive: true, force: true });
  });
});

describe('downloads', () => {
  it('serves the trial installer and the verification files to anyone', async () => {
    const trial = await get(`/download/files/${TRIAL}`);
    expect(trial).toMatchObject({ status: 200, text: 'trial installer bytes' });
    expect(trial.headers.get('x-checksum-sha256')).toMatch(/^[0-9a-f]{64}$/);
    expect((await get(`/download/files/${TRIAL}.sha256`)).text).toBe(`${trial.headers.get('x-checksum-sha256')}  ${TRIAL}\n`);
    expect((await get(`/download/files/${TRIAL}.sig`)).status).toBe(200);
    expect((await get('/download/files/release-signing-key.pub.pem')).text).toContain('BEGIN PUBLIC KEY');
  });

  it('refuses an entitled package without a signed link', async () => {
    const response = await get(`/download/files/${IMAGE}`);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/subscription/) });
  });

  it('serves an entitled package through a fresh signed link of an entitled customer', async () => {
    const customer = await teamCustomer('downloads@acme.test');
    const link = await signedDownloadPath(IMAGE, customer.id);
    expect(await get(link.path)).toMatchObject({ status: 200, text: 'runtime image bytes' });
  });

  it('refuses an expired, altered or re-targeted link', async () => {
    const customer = await teamCustomer('links@acme.test');
    const old = await signedDownloadPath(IMAGE, customer.id, new Date(Date.now() - (DOWNLOAD_LINK_TTL_SECONDS + 5) * 1000));
    expect(JSON.parse((await get(old.path)).text).detail).toMatch(/expired/);
    const fresh = await signedDownloadPath(IMAGE, customer.id);
    expect((await get(fresh.path.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) + 86_400}`))).status).toBe(403);
    expect((await get(fresh.path.replace(IMAGE, AIRGAP))).status).toBe(403);
  });

  it('refuses a package the plan does not include', async () => {
    const customer = await teamCustomer('team-only@acme.test');
    const link = await signedDownloadPath(AIRGAP, customer.id);
    const response = await get(link.path);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.text).detail).toMatch(/does not include Air-gapped bundle/);
  });

  it('refuses a link handed out before the entitlement ended', async () => {
    const customer = await teamCustomer('ended@acme.test');
    const link = await signedDownloadPath(IMAGE, customer.id);
    await endEntitlements(await getOwnerDb(), customer.id, 'subscription canceled', new Date());
    expect((await get(link.path)).status).toBe(403);
  });

  it('serves nothing outside the release folder', async () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not part of the release');
    expect((await serveReleaseFile(new Request('http://localhost/x'), '../../etc/passwd')).status).toBe(404);
    expect((await get('/download/files/notes.txt')).status).toBe(404);
    expect((await get('/download/files/release-manifest.json')).status).toBe(404);
  });
});

// Environment changes are stubs (vi.stubEnv), undone after this file.
afterAll(() => {
  vi.unstubAllEnvs();
});
