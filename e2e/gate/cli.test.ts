/**
 * The gate as CI runs it: the `rp` CLI against the runtime's production build on Postgres, with
 * real API tokens. Shadow, advisory and enforce exit codes; each rule failing for its reason;
 * offline verification (and its failure after one changed byte or with another workspace's key);
 * replay and determinism; malformed, oversized, wrong-kind and secret-laden evidence.
 *
 * Needs the runtime build and Postgres (TEST_DATABASE_URL): the test opens the server's database
 * beside it to create tokens and policies, which the embedded database does not allow.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { cyclonedx, FAKE_SECRETS, junit, sarif, signedDsseEnvelope, statement } from '@/lib/evidence/testing/fixtures';
import { createUser } from '@/lib/auth/users';
import { recordApproval } from '@/lib/gate/approvals';
import { ensureService, findService } from '@/lib/gate/catalog';
import { reevaluateRelease } from '@/lib/gate/reevaluate';
import { passportScope } from '@/lib/passport/store';
import { savePolicy } from '@/lib/policy/store';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { createApiToken } from '@/lib/tokens/store';
import { createWorkspace } from '@/lib/workspaces/members';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { freePort } from '../support/ports';
import { startRuntime, type RunningRuntime } from '../support/runtime-server';

const adminUrl = process.env.TEST_DATABASE_URL;
const root = path.resolve(import.meta.dirname, '..', '..');
const PORT = 3310;
const IMAGE_HEX = crypto.createHash('sha256').update('checkout image').digest('hex');
const IMAGE = `sha256:${IMAGE_HEX}`;
const SHA = 'd'.repeat(40);

let server: RunningRuntime;
let db: RuntimeDb;
let acme: WorkspaceRef;
let token: string;
let globexToken: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-gate-'));

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
}

function rp(args: string[], options: { token?: string | null; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      RP_URL: server.url,
      RP_TOKEN: options.token === null ? '' : (options.token ?? token),
      GITHUB_SHA: '',
      CI_COMMIT_SHA: '',
      ...options.env,
    },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const release = ['--service', 'checkout', '--environment', 'staging', '--source-sha', SHA, '--image-digest', `registry.example.com/checkout@${IMAGE}`];

/** `rp` left running (a waiting pipeline step): its output so far, and its exit. */
function rpRunning(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(root, 'cli/rp.mjs'), ...args], {
    cwd: dir,
    env: { ...process.env, RP_URL: server.url, RP_TOKEN: token, GITHUB_SHA: '', CI_COMMIT_SHA: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const output = () => ({ stdout, stderr });
  const printed = async (text: string, timeoutMs = 60_000) => {
    for (const started = Date.now(); !stdout.includes(text); ) {
      if (Date.now() - started > timeoutMs || child.exitCode !== null) throw new Error(`rp never printed "${text}":\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { exited, output, printed, kill: () => child.kill('SIGKILL') };
}

beforeAll(async () => {
  if (!adminUrl) return;
  server = await startRuntime({ adminUrl, port: PORT });
  db = await getRuntimeDb();
  acme = await createWorkspace(db, { slug: 'acme', name: 'Acme' }, TEST_AUDIT);
  const expiresAt = new Date(Date.now() + 3_600_000);
  token = (await createApiToken(db, acme.id, { name: 'ci', scopes: ['gate:evaluate', 'evidence:write', 'evidence:read', 'passport:read', 'deployment:report'], expiresAt }, TEST_AUDIT)).token;
  const globex = await createWorkspace(db, { slug: 'globex', name: 'Globex' }, TEST_AUDIT);
  globexToken = (await createApiToken(db, globex.id, { name: 'ci', scopes: ['gate:evaluate', 'evidence:write', 'passport:read'], expiresAt }, TEST_AUDIT)).token;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!adminUrl)('rp gate against the runtime (production build, Postgres)', () => {
  // The build's signing key (cosign generate-key-pair): enforce policies trust its public half.
  const provenanceKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const trustedKeys = [{ name: 'ci signing key', publicKey: provenanceKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() }];
  const good = () => ({
    sbom: file('sbom.cdx.json', JSON.stringify(cyclonedx([{ name: 'left-pad', license: 'MIT' }, { name: 'lodash', license: 'MIT' }]))),
    sarif: file('clean.sarif', JSON.stringify(sarif([{ ruleId: 'js/unused', level: 'note' }]))),
    provenance: file('provenance.intoto.json', JSON.stringify(signedDsseEnvelope(statement([{ name: 'checkout', sha256: IMAGE_HEX }]), provenanceKey.privateKey))),
  });

  it('a first pipeline runs in shadow mode: the decision is recorded, the exit code is 0', () => {
    const risky = file('risky.sarif', JSON.stringify(sarif([{ ruleId: 'js/sql-injection', level: 'error', securitySeverity: '9.8' }])));
    const run = rp(['gate', ...release, '--sbom', good().sbom, '--sarif', risky]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/policy "Starter policy" v1 \(shadow\)/);
    expect(run.stdout).toMatch(/no-critical-or-high-findings\s+FAIL\s+deny\s+1 critical finding \(limit 0\): js\/sql-injection/);
    expect(run.stdout).toMatch(/provenance-matches-image\s+MISSING\s+deny/);
    expect(run.stdout).toContain('Decision: DENY (shadow mode: recorded, not blocking)');
    expect(run.stdout).toMatch(/^uploaded sarif .*risky.sarif → sha256:[0-9a-f]{64}$/m);
  });

  it('--vex: a statement about the released image takes its finding out of the count; the output lists the suppression and what was not applied', () => {
    const scan = file('cve.sarif', JSON.stringify(sarif([{ ruleId: 'CVE-2024-3333', level: 'error', securitySeverity: '9.8' }])));
    const vex = file(
      'app.openvex.json',
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/cli',
        author: 'security',
        statements: [
          { vulnerability: { name: 'CVE-2024-3333' }, products: [{ '@id': `pkg:oci/checkout@sha256%3A${IMAGE_HEX}` }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'never called' },
          { vulnerability: { name: 'CVE-2024-4444' }, products: [{ '@id': 'pkg:npm/other@1.0.0' }], status: 'not_affected', justification: 'component_not_present' },
        ],
      }),
    );
    const run = rp(['gate', ...release, '--sbom', good().sbom, '--sarif', scan, '--vex', vex]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^uploaded vex .*app\.openvex\.json → sha256:[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/no-critical-or-high-findings\s+ok\s+-\s+findings within limits \(critical 0, high 0\) \(VEX: 1 finding suppressed, 1 statement not applied\)/);
    expect(run.stdout).toMatch(/suppressed CVE-2024-3333 \(critical\) in the released image sha256:[0-9a-f]{64}: not_affected: vulnerable_code_not_in_execute_path: never called \[VEX /);
    expect(run.stdout).toMatch(/not applied CVE-2024-4444 \(not_affected\): it is about components, and SARIF results name no component/);
  });

  it('advisory mode warns and exits 0', async () => {
    await savePolicy(db, acme.id, { serviceId: null, environmentId: null }, { document: { mode: 'advisory', rules: [{ id: 'no-high', type: 'sarif-severity', limits: { critical: 0, high: 0 } }] } });
    const risky = file('risky2.sarif', JSON.stringify(sarif([{ ruleId: 'js/xss', level: 'error' }])));
    const run = rp(['gate', ...release, '--sarif', risky]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Decision: DENY (advisory mode: a warning, not blocking)');
    expect(run.stdout).toContain('Note: Advisory mode: this release would be denied in enforce mode; it is not blocked.');
  });

  it('enforce mode blocks with exit 1, and every rule fails for its own reason', async () => {
    const service = (await findService(db, acme.id, 'checkout'))!;
    const now = Date.now();
    await savePolicy(db, acme.id, { serviceId: service.id, environmentId: null }, {
      document: {
        mode: 'enforce',
        rules: [
          { id: 'fresh-tests', type: 'evidence-required', kind: 'junit', maxAgeHours: 24 },
          { id: 'manifests', type: 'evidence-required', kind: 'manifests' },
          { id: 'sbom', type: 'sbom-present', minComponents: 3 },
          { id: 'licenses', type: 'license-deny', licenses: ['GPL-3.0-only'] },
          { id: 'no-high', type: 'sarif-severity', limits: { high: 0 } },
          { id: 'tests', type: 'tests-pass' },
          { id: 'checksums', type: 'checksum-match' },
          { id: 'provenance', type: 'provenance-subject' },
          { id: 'freeze', type: 'change-freeze', windows: [{ start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), reason: 'quarter close' }] },
          { id: 'approved', type: 'approvals', count: 1, role: 'maintainer' },
        ],
      },
    });
    const oldTests = file('old-junit.xml', junit([{ suite: 'api', name: 'login', outcome: 'fail' }]));
    const uploaded = rp(['evidence', 'upload', oldTests, '--kind', 'junit', '--collected-at', new Date(now - 48 * 3_600_000).toISOString(), '--json']);
    expect(uploaded.code).toBe(0);
    const junitDigest = (JSON.parse(uploaded.stdout) as { sha256: string }).sha256;
    const artifact = file('checkout-1.0.0.tgz', 'the packaged chart');
    const checksums = file('SHA256SUMS', `${'0'.repeat(64)}  checkout-1.0.0.tgz\n`);
    const run = rp([
      'gate', ...release, '--json',
      '--sbom', file('gpl.cdx.json', JSON.stringify(cyclonedx([{ name: 'a', license: 'MIT' }, { name: 'readline', license: 'GPL-3.0-only' }]))),
      '--sarif', file('high.sarif', JSON.stringify(sarif([{ ruleId: 'js/path-injection', level: 'error' }]))),
      '--provenance', file('other.intoto.json', JSON.stringify(statement([{ name: 'checkout', sha256: 'e'.repeat(64) }]))),
      '--checksums', checksums, '--artifact', artifact,
      '--evidence', `sha256:${junitDigest}`,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const answer = JSON.parse(run.stdout) as { decision: string; mode: string; blocking: boolean; reasons: Array<{ ruleId: string; status: string; message: string }> };
    expect(answer).toMatchObject({ decision: 'deny', mode: 'enforce', blocking: true });
    const byRule = Object.fromEntries(answer.reasons.map((reason) => [reason.ruleId, `${reason.status}: ${reason.message}`]));
    expect(byRule).toEqual({
      'fresh-tests': expect.stringMatching(/^stale: the newest junit evidence is 4\d(\.\d)? h old; the limit is 24 h$/),
      manifests: expect.stringMatching(/^missing: no manifests evidence was given/),
      sbom: 'fail: the SBOM lists 2 components; at least 3 are required',
      licenses: 'fail: 1 component under denied licenses: GPL-3.0-only (1)',
      'no-high': 'fail: 1 high finding (limit 0): js/path-injection',
      tests: 'fail: 1 test failed (at most 0 allowed): api › login',
      checksums: 'fail: checkout-1.0.0.tgz does not match the checksums file',
      provenance: expect.stringMatching(/^fail: no provenance subject has the released image digest sha256:/),
      freeze: expect.stringMatching(/^fail: change freeze until .*: quarter close$/),
      approved: 'fail: 0 approvals from a maintainer or above; 1 required',
    });
    const table = rp(['gate', ...release, '--evidence', `sha256:${junitDigest}`]);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('Decision: DENY (enforce mode: the release is blocked)');
  });

  it('a release that satisfies an enforce policy passes with exit 0', async () => {
    const service = (await findService(db, acme.id, 'checkout'))!;
    await savePolicy(db, acme.id, { serviceId: service.id, environmentId: null }, {
      document: {
        mode: 'enforce',
        rules: [
          { id: 'sbom', type: 'sbom-present' },
          { id: 'no-high', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
          { id: 'provenance', type: 'provenance-subject', trustedKeys },
          { id: 'checksums', type: 'checksum-match' },
        ],
      },
    });
    const artifact = file('checkout-1.0.1.tgz', 'the packaged chart, fixed');
    const checksums = file('SHA256SUMS.ok', `${crypto.createHash('sha256').update('the packaged chart, fixed').digest('hex')}  dist/checkout-1.0.1.tgz\n`);
    const evidence = good();
    const run = rp(['gate', ...release, '--sbom', evidence.sbom, '--sarif', evidence.sarif, '--provenance', evidence.provenance, '--checksums', checksums, '--artifact', artifact, '--passport-out', 'passport.json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Decision: ALLOW (enforce mode: the release may proceed)');
    expect(fs.existsSync(path.join(dir, 'passport.json'))).toBe(true);
  });

  it('reports the deploy that follows: that digest is passported in staging; another digest has no passport; an unknown environment records nothing', () => {
    const deployed = rp(['report-deployment', '--environment', 'staging', '--image', `registry.example.com/checkout@${IMAGE}`, '--service', 'checkout']);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(/^status: passported: the latest passport \(enforce\) allowed \(passport [0-9a-f]{64}\)$/m);
    const other = rp(['report-deployment', '--environment', 'staging', '--image', `registry.example.com/checkout@sha256:${'e'.repeat(64)}`, '--service', 'checkout']);
    expect(other.stdout).toContain('replacing 1 earlier report');
    expect(other.stdout).toContain('status: NO PASSPORT: no passport for this digest of service checkout in this environment');
    const unknown = rp(['report-deployment', '--environment', 'production', '--image', `registry.example.com/checkout@${IMAGE}`]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('404 This workspace has no environment "production"');
  });

  it('verifies the passport offline; one changed byte or another workspace’s key fails', () => {
    const keysUrl = `${server.url}/api/v1/workspaces/acme/keys`;
    const valid = rp(['verify', 'passport.json', '--key', keysUrl], { token: null });
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^VALID passport [0-9a-f]{64}$/m);
    expect(valid.stdout).toContain('decision allow (enforce)');
    expect(valid.stdout).toMatch(/signed by key \S+ \(workspace acme\), an active key/);
    // The standard JWK Set verifies too; it carries no status, and the output says so.
    const jwks = rp(['verify', 'passport.json', '--key', `${server.url}/api/v1/workspaces/acme/jwks`], { token: null });
    expect(jwks.code, jwks.stderr).toBe(0);
    expect(jwks.stdout).toContain('key status unknown');

    // The same with a key file, fetched once: no server needed any more.
    const keyFile = file('acme-keys.json', spawnSync('curl', ['-fsS', keysUrl], { encoding: 'utf8' }).stdout);
    expect(rp(['verify', 'passport.json', '--key', keyFile], { token: null }).code).toBe(0);

    const envelope = JSON.parse(fs.readFileSync(path.join(dir, 'passport.json'), 'utf8')) as { payload: string };
    const position = Math.floor(envelope.payload.length / 2);
    const flipped = envelope.payload[position] === 'A' ? 'B' : 'A';
    fs.writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify({ ...envelope, payload: envelope.payload.slice(0, position) + flipped + envelope.payload.slice(position + 1) }));
    const tampered = rp(['verify', 'tampered.json', '--key', keyFile], { token: null });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('INVALID passport: the signature does not match: the passport was altered after signing');

    // Globex gets its own key on its first evaluation.
    expect(rp(['gate', ...release], { token: globexToken }).code).toBe(0);
    const foreign = rp(['verify', 'passport.json', '--key', `${server.url}/api/v1/workspaces/globex/keys`], { token: null });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/INVALID passport: no signature by the given key\(s\)/);
  });

  it('a mistyped --url fails at once (exit 2), a wrong one names the address, and a refused request offers no idempotency key to retry with', () => {
    const started = Date.now();
    const typo = rp(['gate', ...release, '--url', 'passport.example.com']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--url or RP_URL "passport.example.com" is not an http(s) address');
    // Not retried until the deadline (it once was, for 5 minutes).
    expect(Date.now() - started).toBeLessThan(20_000);

    // The runtime's own 404 page for a path that is not the API: the address, not the page's HTML.
    const wrongPath = rp(['gate', ...release, '--url', `${server.url}/not-the-runtime`]);
    expect(wrongPath.code).toBe(3);
    expect(wrongPath.stderr).toContain(`404 Not Found (text/html) from ${server.url}/not-the-runtime/api/v1/gate/evaluate, which is not an answer of the Release Passport API`);
    expect(wrongPath.stderr).not.toContain('<html');

    // Refused as invalid: nothing was recorded, so no key to get "its answer" with.
    const refused = rp(['gate', ...release.map((value) => (value === 'checkout' ? 'Not A Slug' : value))]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('400 The request has 1 invalid field: body.service.');
    expect(refused.stderr).not.toContain('idempotency key');
  });

  it('keeps the decision\'s exit code when a CI summary cannot be written, and refuses a --passport-out it could not save before asking', () => {
    const missing = path.join(dir, 'no-such-folder');
    // A release the enforce-mode policy allows (as above), so a wrong exit 1 would show.
    const artifact = file('checkout-1.0.1.tgz', 'the packaged chart, fixed');
    const checksums = file('SHA256SUMS.ok', `${crypto.createHash('sha256').update('the packaged chart, fixed').digest('hex')}  dist/checkout-1.0.1.tgz\n`);
    const evidence = good();
    const allowed = [...release, '--sbom', evidence.sbom, '--sarif', evidence.sarif, '--provenance', evidence.provenance, '--checksums', checksums, '--artifact', artifact];
    const github = rp(['gate', ...allowed], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: path.join(missing, 'summary.md') } });
    expect(github.stdout).toContain('Decision: ALLOW');
    expect(github.code, github.stderr).toBe(0);
    expect(github.stderr).toContain(`rp: could not write the job summary to ${path.join(missing, 'summary.md')} (ENOENT); the decision above stands`);
    const passportOut = rp(['gate', ...release, '--passport-out', path.join(missing, 'passport.json')]);
    expect(passportOut.code).toBe(2);
    expect(passportOut.stderr).toContain(`--passport-out ${path.join(missing, 'passport.json')}: ${missing} is not a folder that exists`);
    expect(passportOut.stdout).not.toContain('Decision:');
  });

  it('says "could not check" (exit 3) or names the wrong --key (exit 2), never INVALID, when it verified nothing', async () => {
    const unknownWorkspace = rp(['verify', 'passport.json', '--key', `${server.url}/api/v1/workspaces/no-such-workspace/keys`], { token: null });
    expect(unknownWorkspace.code).toBe(3);
    expect(unknownWorkspace.stderr).toContain('answered 404: check the server address and the workspace slug; nothing was verified');
    const closedPort = await freePort(); // nothing listens there
    const closed = rp(['verify', 'passport.json', '--key', `http://127.0.0.1:${closedPort}/keys`], { token: null });
    expect(closed.code).toBe(3);
    expect(closed.stderr).toContain(`could not fetch the keys from http://127.0.0.1:${closedPort}/keys (ECONNREFUSED); nothing was verified`);
    const missing = rp(['verify', 'passport.json', '--key', path.join(dir, 'no-such-key.pem')], { token: null });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/rp: --key \S*no-such-key\.pem: no such file/);
    const notAKey = rp(['verify', 'passport.json', '--key', file('not-a-key.pem', 'garbage')], { token: null });
    expect(notAKey.code).toBe(2);
    expect(notAKey.stderr).toMatch(/rp: --key \S*not-a-key\.pem: not a PEM public key, and not JSON/);
    for (const outcome of [unknownWorkspace, closed, missing, notAKey]) expect(outcome.stderr).not.toContain('INVALID');
  });

  it('replays a passport: the server and the CLI reach the same bytes (determinism)', () => {
    const id = (JSON.parse(rp(['verify', 'passport.json', '--key', `${server.url}/api/v1/workspaces/acme/keys`, '--json'], { token: null }).stdout) as { passportId: string }).passportId;
    const replay = rp(['replay', id]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`MATCH (server): the stored inputs re-evaluate to passport ${id}`);
    expect(replay.stdout).toContain(`MATCH (this CLI): the stored inputs re-evaluate to passport ${id}`);
  });

  it('refuses malformed, oversized and wrong-kind evidence with exit 3 and a reason', () => {
    const malformed = rp(['evidence', 'upload', file('broken.cdx.json', '{"bomFormat": "CycloneDX", "components": [{]}'), '--kind', 'sbom']);
    expect(malformed.code).toBe(3);
    // Which file, through which flag, and what the gate took it for.
    expect(malformed.stderr).toMatch(/rp: --kind sbom \S*broken\.cdx\.json: 422 CycloneDX JSON is read, but this file was refused: invalid JSON at line 1, column 44 \(byte 43\): expected a property name in double quotes, found '\]'/);
    const oversized = rp(['evidence', 'upload', file('huge-SHA256SUMS', Buffer.alloc(5 * 1024 * 1024, 'a')), '--kind', 'checksums']);
    expect(oversized.code).toBe(3);
    expect(oversized.stderr).toMatch(/rp: --kind checksums \S*huge-SHA256SUMS: 413 checksums evidence is limited to 4 MB; this upload is larger/);
    const wrongKind = rp(['gate', ...release, '--sbom', file('actually.sarif', JSON.stringify(sarif([])))]);
    expect(wrongKind.code).toBe(3);
    // Which of the files, through which flag, was refused.
    expect(wrongKind.stderr).toMatch(/rp: --sbom \S*actually\.sarif: 422 this is a SARIF 2\.1\.0 log, sent as sbom evidence: send it as sarif evidence \(rp gate --sarif FILE/);
    // An SPDX SBOM named like anything (sbom.json) is read as SPDX: the content decides, not the name.
    const spdx = rp(['gate', ...release, '--sbom', file('sbom.json', fs.readFileSync(path.resolve('lib/evidence/testing/real/trivy-conda.spdx.json')))]);
    expect(spdx.code, spdx.stderr).not.toBe(3);
    expect(spdx.stdout).toMatch(/uploaded sbom \S*sbom\.json → sha256:/);
    // CycloneDX XML and SPDX tag-value SBOMs, and a multi-line .intoto.jsonl, are read whatever they are called.
    for (const [flag, name] of [
      ['--sbom', 'syft-image.cdx.xml'],
      ['--sbom', 'spdx-spec-example-v2.3.spdx'],
      ['--provenance', 'gh-sigstore-js-2.1.0-two-bundles.intoto.jsonl'],
    ]) {
      const other = rp(['gate', ...release, flag!, file(`evidence-${name}`, fs.readFileSync(path.resolve('lib/evidence/testing/real', name!)))]);
      expect(other.code, other.stderr).not.toBe(3);
      expect(other.stdout).toContain(`evidence-${name} → sha256:`);
    }
    const noToken = rp(['gate', ...release], { token: null });
    expect(noToken.code).toBe(2);
    const badToken = rp(['gate', ...release], { token: 'rp_not_a_real_token' });
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toMatch(/rp: 401 /);
  });

  it('a folder of JUnit reports goes up as its .xml files, counted as their tools meant; a shell pattern after one flag is a usage error saying how', () => {
    // Surefire and Gradle write one report per test class into a folder, beside .txt summaries.
    const reports = path.join(dir, 'surefire-reports');
    fs.mkdirSync(reports);
    for (const name of ['surefire-3.0.2-flaky.junit.xml', 'googletest-1.12.1.junit.xml', 'ant-suite-error-no-cases.junit.xml']) {
      fs.copyFileSync(path.resolve('lib/evidence/testing/real', name), path.join(reports, name));
    }
    fs.writeFileSync(path.join(reports, 'io.olamy.FlakyTest.txt'), 'Tests run: 1, Failures: 0\n');
    const run = rp(['gate', ...release, '--junit', reports, '--json']);
    expect(run.code, run.stderr).not.toBe(3);
    const answer = JSON.parse(run.stdout) as { uploaded: Array<{ kind: string; file: string; sha256: string }> };
    expect(answer.uploaded.map((item) => `${item.kind} ${path.basename(item.file)}`)).toEqual([
      'junit ant-suite-error-no-cases.junit.xml',
      'junit googletest-1.12.1.junit.xml',
      'junit surefire-3.0.2-flaky.junit.xml',
    ]);
    // The Google Test report's DISABLED_ test (status="notrun", no <skipped>) is stored as skipped.
    const shown = rp(['evidence', 'show', answer.uploaded[1]!.sha256]);
    expect(JSON.parse(shown.stdout)).toMatchObject([{ summary: { tests: 6, passed: 2, failures: 2, skipped: 2 } }]);
    const stray = rp(['gate', ...release, '--junit', path.join(reports, 'googletest-1.12.1.junit.xml'), path.join(reports, 'surefire-3.0.2-flaky.junit.xml')]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('surefire-3.0.2-flaky.junit.xml: not after a flag. Give each evidence file its own flag (--junit a.xml --junit b.xml)');
    expect(stray.stderr).toContain('give the folder: --junit reports');
    const empty = path.join(dir, 'no-reports');
    fs.mkdirSync(empty);
    const none = rp(['gate', ...release, '--junit', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--junit ${empty} is a folder with no JUnit report in it`);
  });

  it('stores secret-laden evidence without its secrets, and says what it removed', async () => {
    const manifests = file(
      'rendered.yaml',
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: db}',
        'data:',
        '  password: aHVudGVyMg==',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: ci}',
        'data:',
        `  note: "deploy with ${FAKE_SECRETS.github}"`,
        '',
      ].join('\n'),
    );
    const run = rp(['evidence', 'upload', manifests, '--kind', 'manifests', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as { sha256: string; storedSha256: string; redactions: { items: Array<{ kind: string; location: string }> } };
    // Named by the bytes sent (what sha256sum gives in CI); the stored copy has its own digest.
    expect(record.sha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(manifests)).digest('hex'));
    expect(record.storedSha256).not.toBe(record.sha256);
    expect(record.redactions.items).toEqual([
      { kind: 'kubernetes-secret', location: 'document 1 /data/password' },
      { kind: 'github-token', location: 'document 2 /data/note' },
    ]);
    expect(run.stdout).not.toContain(FAKE_SECRETS.github);
    // What the server stored: the blob on disk holds neither value.
    const blobs = fs.readdirSync(path.join(server.dataDir, 'blobs'), { recursive: true }).map(String);
    const stored = blobs.find((name) => name.endsWith(record.storedSha256));
    expect(stored).toBeDefined();
    const bytes = fs.readFileSync(path.join(server.dataDir, 'blobs', stored!), 'utf8');
    expect(bytes).not.toContain('aHVudGVyMg==');
    expect(bytes).not.toContain(FAKE_SECRETS.github);
    expect(bytes).toContain('[redacted:kubernetes-secret]');
  });
  it('waits for approval: a blocked release is judged again when a maintainer approves it, and the waiting step exits with the new decision', async () => {
    const payments = await ensureService(db, acme.id, 'payments');
    await savePolicy(db, acme.id, { serviceId: payments.id, environmentId: null }, {
      document: { mode: 'enforce', rules: [{ id: 'maintainer-approval', type: 'approvals', count: 1, role: 'maintainer' }] },
    });
    const paymentsRelease = ['--service', 'payments', '--environment', 'staging', '--source-sha', 'e'.repeat(40), '--image-digest', IMAGE];
    const waiting = rpRunning(['gate', ...paymentsRelease, '--wait-for-approval=2m'], { RP_WAIT_POLL_MS: '200' });
    try {
      await waiting.printed('Waiting up to 2m for this release to be judged again');
      const passportId = /^Passport: ([0-9a-f]{64})$/m.exec(waiting.output().stdout)![1]!;
      expect(waiting.output().stdout).toContain(`/console/acme/passports/${passportId}`);
      // What the console's Approve does: record the approval, judge the release again (signed with
      // the server's key, which lives in its data directory).
      vi.stubEnv('RP_DATA_DIR', server.dataDir);
      const approver = await createUser(db, { email: 'approver@acme.test', name: 'Approver' }, TEST_AUDIT);
      const { releaseId } = await passportScope(db, acme.id, passportId);
      await recordApproval(db, acme.id, { releaseId, approverId: approver.id, role: 'maintainer', passportId, note: 'looked at it' });
      const again = await reevaluateRelease(db, acme, passportId, { actorLabel: approver.email });
      expect(again.decision).toBe('allow');
      expect(await waiting.exited, JSON.stringify(waiting.output())).toBe(0);
      expect(waiting.output().stdout).toContain(`: ALLOW. Passport: ${again.passport.id}`);
    } finally {
      waiting.kill();
      vi.unstubAllEnvs();
    }
  }, 120_000);

  it('waiting for approval ends blocked (exit 1) when nobody approves in time; a bad duration is a usage error', async () => {
    const paymentsRelease = ['--service', 'payments', '--environment', 'staging', '--source-sha', 'f'.repeat(40), '--image-digest', IMAGE];
    const waiting = rpRunning(['gate', ...paymentsRelease, '--wait-for-approval=2s'], { RP_WAIT_POLL_MS: '200' });
    expect(await waiting.exited, JSON.stringify(waiting.output())).toBe(1);
    expect(waiting.output().stdout).toContain('No decision let this release through within 2s: it stays blocked.');
    const usage = rp(['gate', ...paymentsRelease, '--wait-for-approval=soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--wait-for-approval "soon" is not a duration');
  }, 60_000);
});
