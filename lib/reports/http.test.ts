/** The download endpoints behind the route wrapper: session only for exports, 404 for outsiders. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { rowsOf } from '@/db/rows';
import { seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { parsePublicKeys, verifyPassport } from '@/lib/passport/verify';
import { publishedKeys } from '@/lib/passport/signing-keys';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { apiRequest, testSessionCookie, testToken, testUser } from '@/lib/testing/identity';
import { GET as exportRoute } from '@/app/api/v1/workspaces/[workspace]/reports/[report]/route.runtime';
import { GET as envelopeRoute } from '@/app/api/v1/workspaces/[workspace]/passports/[id]/envelope/route.runtime';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-downloads-'));
let db: RuntimeDb;
let scenario: Scenario;

const exportOf = (cookieOrToken: { cookie?: string; token?: string }, report: string, query = '', workspace = scenario.workspace.slug) =>
  exportRoute(apiRequest(`/api/v1/workspaces/${workspace}/reports/${report}${query}`, cookieOrToken), { params: Promise.resolve({ workspace, report }) });

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  scenario = await seedScenario(db, new FilesystemBlobStore(path.join(dataDir, 'blobs')));
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /api/v1/workspaces/{workspace}/reports/{report}', () => {
  it('streams a CSV download to a maintainer, with the filters applied', async () => {
    const { cookie } = await testSessionCookie(db, scenario.members.maintainer, [scenario.workspace.slug]);
    // As the console's form sends it: every field, the unused ones empty.
    const response = await exportOf({ cookie }, 'decisions', '?service=checkout&environment=&decision=deny&mode=&from=&to=&format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="release-passport-${scenario.workspace.slug}-decisions-\\d{8}-\\d{6}\\.csv"$`));
    const lines = (await response.text()).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((line) => line.includes(',checkout,') && line.includes(',deny,'))).toBe(true);
  });

  it('answers 403 to a viewer, 404 to a non-member, 403 to an API token, 400 to an unknown format', async () => {
    const viewer = await testSessionCookie(db, scenario.members.viewer, [scenario.workspace.slug]);
    expect((await exportOf(viewer, 'passports')).status).toBe(403);
    const outsider = await testSessionCookie(db, await testUser(db), []);
    expect((await exportOf(outsider, 'passports')).status).toBe(404);
    const { token } = await testToken(db, scenario.workspace, { scopes: ['passport:read'] });
    expect((await exportOf({ token }, 'passports')).status).toBe(403);
    const maintainer = await testSessionCookie(db, scenario.members.maintainer, [scenario.workspace.slug]);
    const bad = await exportOf(maintainer, 'passports', '?format=xlsx');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].path).toBe('query.format');
  });
});

describe('GET /api/v1/workspaces/{workspace}/passports/{id}/envelope', () => {
  it('downloads the DSSE envelope, which verifies offline with the published key', async () => {
    const id = scenario.outcomes.checkoutBlocked.passport.id;
    const { cookie } = await testSessionCookie(db, scenario.members.viewer, [scenario.workspace.slug]);
    const response = await envelopeRoute(apiRequest(`/api/v1/workspaces/${scenario.workspace.slug}/passports/${id}/envelope`, { cookie }), {
      params: Promise.resolve({ workspace: scenario.workspace.slug, id }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="passport-${id}.dsse.json"`);
    const keys = (await publishedKeys(db, scenario.workspace.slug))!;
    const verification = verifyPassport(await response.json(), parsePublicKeys(keys.map((key) => key.publicKeyPem).join('\n')));
    expect(verification).toMatchObject({ valid: true, passportId: id });
  });

  it('serves the envelope the gate answered with, from the stored payload text and signatures, for a row stored whole (before) too', async () => {
    const id = scenario.outcomes.checkoutBlocked.passport.id;
    const answered = scenario.outcomes.checkoutBlocked.passport.envelope;
    const { cookie } = await testSessionCookie(db, scenario.members.viewer, [scenario.workspace.slug]);
    const download = async () =>
      (await envelopeRoute(apiRequest(`/api/v1/workspaces/${scenario.workspace.slug}/passports/${id}/envelope`, { cookie }), { params: Promise.resolve({ workspace: scenario.workspace.slug, id }) })).json();
    // The base64 payload is not stored twice: the row's payload text is the signed bytes.
    const [stored] = rowsOf<{ envelope: Record<string, unknown> }>(await db.execute(sql`select envelope from passports where id = ${id}`));
    expect(Object.keys(stored!.envelope).sort()).toEqual(['payloadType', 'signatures']);
    expect(await download()).toEqual(answered);
    await db.execute(sql`update passports set envelope = ${JSON.stringify(answered)}::jsonb where id = ${id}`);
    try {
      expect(await download()).toEqual(answered);
    } finally {
      await db.execute(sql`update passports set envelope = envelope - 'payload' where id = ${id}`);
    }
  });
});
