/**
 * Seed 000 "Sanitized reports": secret-looking values planted in every field an export can
 * carry text from (service and environment names, policy names, rule messages, measured values and
 * thresholds, notes, the requesting actor, evidence summaries, comments, audit actors, reasons,
 * resources and details, filters) must not survive in any report, in any format. The same rows
 * written without the sanitizer do contain them: the plants reach the output, so the check bites.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import { auditEvents, comments, environments, gateDecisions, policies, services } from '@/db/schema/runtime';
import type { MemberActor } from '@/lib/access/can';
import { appendAuditEvent } from '@/lib/audit/log';
import { approveRelease, rejectRelease } from '@/lib/console/approvals';
import type { ConsoleCaller } from '@/lib/console/authorize';
import { seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { ProblemError } from '@/lib/http/problem';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { FAKE_KEY_BODY, fakePrivateKeyPem } from '@/lib/testing/fake-keys';
import { exportReport } from './export';
import { FORMATS, writeReport, type ReportFormat } from './formats';
import { COLUMNS, REPORTS, reportPages, type ReportKind } from './sources';

const PEM_BODY = FAKE_KEY_BODY;
const KEY_DATA = Buffer.from(`${fakePrivateKeyPem('RSA')}\n`).toString('base64');

/** Each planted secret and the distinctive piece of it that must not appear in any output. */
const PLANTS = {
  rpToken: { value: 'rp_' + 'Zq8KfW2mNx7Lp4Rt9Vb3Hc6Jd1Gs5Ya0Ue8Io2Pw4Qe7Tr1Yu3', needle: 'Zq8KfW2mNx7Lp4Rt9Vb3' },
  github: { value: 'ghp_' + 'R4nd0mG1tHubT0k3nV4lu3xyzABCDEFGHIJ12', needle: 'R4nd0mG1tHubT0k3nV4lu3' },
  stripe: { value: 'sk_live_' + '51PaymentK3yAbCdEfGhIjKlMn', needle: '51PaymentK3yAbCdEfGh' },
  webhook: { value: 'whsec_' + 'W3bh00kS1gn1ngS3cr3tAbCdEfGhIjKl', needle: 'W3bh00kS1gn1ngS3cr3t' },
  aws: { value: 'AKIA' + 'Q3EXAMPLEKEY7890', needle: 'Q3EXAMPLEKEY7890' },
  awsSecret: { value: 'aws_secret_access_key=' + 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY12', needle: 'wJalrXUtnFEMI/K7MDENG' },
  jwt: { value: 'eyJhbGciOiJSUzI1NiJ9.' + 'eyJzdWIiOiJjaS1yb2JvdCJ9.' + 'SiGnAtUrEpArTxyz0123456789', needle: 'SiGnAtUrEpArTxyz0123456789' },
  pem: { value: fakePrivateKeyPem(), needle: PEM_BODY },
  kubeconfig: {
    value: ['apiVersion: v1', 'kind: Config', 'users:', '- name: deployer', '  user:', `    client-key-data: ${KEY_DATA}`, '    token: kubeTok3nValue0987654321abc'].join('\n'),
    needle: 'kubeTok3nValue0987654321abc',
  },
  kubeKeyData: { value: `client-key-data: ${KEY_DATA}`, needle: KEY_DATA.slice(20, 60) },
  databaseUrl: { value: 'postgres://app:Sup3rS3cretDbPassw0rd@db.internal:5432/app', needle: 'Sup3rS3cretDbPassw0rd' },
  envPassword: { value: 'DB_PASSWORD=hunter2hunter2hunter2', needle: 'hunter2hunter2hunter2' },
  slack: { value: 'xoxb-' + '2222333344445555-SlackB0tT0ken', needle: 'SlackB0tT0ken' },
} as const;

const ALL = Object.values(PLANTS).map((plant) => plant.value).join(' ');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-reports-'));
const store = new FilesystemBlobStore(path.join(dataDir, 'blobs'));
let db: RuntimeDb;
let scenario: Scenario;
let maintainer: ConsoleCaller;

function callerOf(role: 'admin' | 'maintainer' | 'viewer' | 'developer'): ConsoleCaller {
  const user = scenario.members[role];
  const actor: MemberActor = { type: 'member', userId: user.id, email: user.email, name: user.name, workspaceId: scenario.workspace.id, role, sessionId: null };
  return { actor, audit: { actor: { type: 'user', id: user.id, label: user.email }, requestId: 'req-export', ip: '127.0.0.1' }, workspace: scenario.workspace };
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

async function unsanitized(report: ReportKind, format: ReportFormat): Promise<string> {
  let out = '';
  const heading = { report, title: report, workspace: scenario.workspace.slug, generatedAt: new Date().toISOString(), filters: {}, columns: COLUMNS[report] };
  for await (const chunk of writeReport(format, heading, reportPages(db, scenario.workspace.id, { report, passportFilters: {}, auditFilters: {} }))) out += chunk;
  return out;
}

beforeAll(async () => {
  configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir } });
  db = await getRuntimeDb();
  scenario = await seedScenario(db, store);
  maintainer = callerOf('maintainer');
  const ws = scenario.workspace.id;

  // "Whatever is in the data": written straight into the tables, past every write-time check.
  await db.update(services).set({ slug: `payments-${PLANTS.rpToken.value}`, name: ALL }).where(and(eq(services.workspaceId, ws), eq(services.slug, 'payments')));
  await db.update(environments).set({ slug: `staging ${PLANTS.github.value}` }).where(and(eq(environments.workspaceId, ws), eq(environments.slug, 'staging')));
  await db.update(policies).set({ name: `Checkout ${PLANTS.stripe.value}` }).where(eq(policies.id, scenario.checkoutPolicyId));
  const decision = scenario.outcomes.checkoutBlocked.decisionId;
  const [row] = await db.select({ reasons: gateDecisions.reasons, inputs: gateDecisions.inputs }).from(gateDecisions).where(eq(gateDecisions.id, decision));
  const reasons = (row!.reasons as Array<Record<string, unknown>>).map((reason) => ({
    ...reason,
    message: `failed near ${PLANTS.jwt.value} and ${PLANTS.databaseUrl.value}`,
    measured: { log: PLANTS.kubeconfig.value, token: 'opaque-measured-credential-value-42', nested: [{ secret: PLANTS.envPassword.value }] },
    threshold: { note: PLANTS.awsSecret.value },
  }));
  const inputs = row!.inputs as { evidence: Array<{ summary: Record<string, unknown> }> };
  inputs.evidence = inputs.evidence.map((item) => ({ ...item, summary: { ...item.summary, subject: { name: PLANTS.webhook.value }, keys: [PLANTS.aws.value, PLANTS.kubeKeyData.value], password: 'plain-value-under-a-credential-key' } }));
  await db
    .update(gateDecisions)
    .set({ reasons, inputs, notes: [`see ${PLANTS.slack.value}`, PLANTS.pem.value], actor: `token ${PLANTS.rpToken.value}` })
    .where(eq(gateDecisions.id, decision));
  await db.insert(comments).values({ workspaceId: ws, passportId: scenario.outcomes.checkoutBlocked.passport.id, authorId: scenario.members.developer.id, body: `pasted by mistake:\n${ALL}` });
  await appendAuditEvent(db, {
    actor: { type: 'token', id: 'tok-1', label: `ci ${PLANTS.github.value}` },
    workspaceId: ws,
    action: 'api.gate.evaluate',
    resource: { type: 'release', id: PLANTS.stripe.value },
    outcome: 'deny',
    reason: `refused: ${PLANTS.jwt.value}`,
    details: {
      kubeconfig: PLANTS.kubeconfig.value,
      token: 'opaque-detail-credential-value-77',
      headers: { authorization: `Bearer ${PLANTS.rpToken.value}` },
      env: [PLANTS.envPassword.value, PLANTS.databaseUrl.value, PLANTS.pem.value],
      [PLANTS.slack.value]: 'a secret as a key',
    },
  });
});

afterAll(() => {
  configureSecrets();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const needles = [...Object.entries(PLANTS).map(([name, plant]) => [name, plant.needle] as const), ['credential under a key', 'opaque-measured-credential-value-42'] as const, ['detail token', 'opaque-detail-credential-value-77'] as const, ['summary password', 'plain-value-under-a-credential-key'] as const];

describe('the planted values reach the exports when nothing sanitizes them', () => {
  it('every needle appears in some unsanitized report (so the check below can fail)', async () => {
    let everything = '';
    for (const report of REPORTS) everything += await unsanitized(report, 'csv');
    for (const [name, needle] of needles) expect(everything, name).toContain(needle);
  });
});

describe.each(REPORTS)('the %s report', (report) => {
  it.each(FORMATS)('as %s contains no token, kubeconfig, private key, payment key or secret value', async (format) => {
    const result = await exportReport(db, maintainer, { report, format, passportFilters: {}, auditFilters: {} });
    const output = await text(result.body);
    for (const [name, needle] of needles) expect(output, `${name} in ${report}.${format}`).not.toContain(needle);
    // Not vacuous: the report has its rows.
    expect(output).toContain(report === 'audit' ? 'api.gate.evaluate' : scenario.outcomes.checkoutBlocked.passport.id);
    expect(output).toContain('[redacted:');
    if (format === 'json') expect(() => JSON.parse(output)).not.toThrow();
  });
});

describe('an export', () => {
  it('keeps its filters and its shape: JSON parses, CSV has one line per row, Markdown one table row per row', async () => {
    const json = JSON.parse(await text((await exportReport(db, maintainer, { report: 'passports', format: 'json', passportFilters: { decision: 'deny' } })).body)) as {
      rows: Array<{ decision: string }>;
      filters: Record<string, string>;
    };
    expect(json.filters).toEqual({ decision: 'deny' });
    expect(json.rows.length).toBe(3);
    expect(json.rows.every((row) => row.decision === 'deny')).toBe(true);
    const csv = await text((await exportReport(db, maintainer, { report: 'passports', format: 'csv', passportFilters: { decision: 'deny' } })).body);
    expect(csv.trim().split('\n')).toHaveLength(4);
    expect(csv.split('\n')[0]).toBe('Passport,Evaluated at,Service,Environment,Decision,Mode,Blocking,Source SHA,Image digest,Chart version');
    const markdown = await text((await exportReport(db, maintainer, { report: 'passports', format: 'markdown', passportFilters: { decision: 'deny' } })).body);
    expect(markdown).toContain('Filters: decision = deny');
    expect(markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---')).length).toBe(4);
    expect(markdown).toContain('3 rows.');
  });

  it('names who approved and who rejected each release (email and name), in which role, when and with what note', async () => {
    const passportId = scenario.outcomes.checkoutV1.passport.id;
    await approveRelease(db, maintainer, passportId, 'Checked the canary dashboards.');
    await rejectRelease(db, callerOf('admin'), passportId, 'The error budget is spent this week.');
    const json = JSON.parse(await text((await exportReport(db, maintainer, { report: 'decisions', format: 'json', passportFilters: {} })).body)) as {
      rows: Array<{ passportId: string; approvals: unknown[]; rejections: unknown[] }>;
    };
    const row = json.rows.find((candidate) => candidate.passportId === passportId)!;
    const at = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
    const { maintainer: approver, admin: rejecter } = scenario.members;
    expect(row.approvals).toEqual([{ approver: approver.email, name: approver.name, role: 'maintainer', at, note: 'Checked the canary dashboards.' }]);
    expect(row.rejections).toEqual([{ rejecter: rejecter.email, name: rejecter.name, role: 'admin', at, note: 'The error budget is spent this week.' }]);
    const csv = await text((await exportReport(db, maintainer, { report: 'decisions', format: 'csv', passportFilters: {} })).body);
    expect(csv.split('\n')[0]).toContain('Approvals,Rejections');
    expect(csv).toContain(approver.email);
    expect(csv).toContain('The error budget is spent this week.');
    const markdown = await text((await exportReport(db, maintainer, { report: 'decisions', format: 'markdown', passportFilters: {} })).body);
    expect(markdown).toMatch(new RegExp(`${rejecter.email}\\)?, admin, \\d{4}-[^|]*: The error budget is spent this week\\.`));
    expect(markdown).toMatch(new RegExp(`${approver.email}\\)?, maintainer, \\d{4}-[^|]*: Checked the canary dashboards\\.`));
  });

  it('neutralises spreadsheet formulas in CSV cells', async () => {
    await db.update(services).set({ slug: '=HYPERLINK("http://evil.test")' }).where(and(eq(services.workspaceId, scenario.workspace.id), eq(services.slug, 'checkout')));
    try {
      const csv = await text((await exportReport(db, maintainer, { report: 'passports', format: 'csv', passportFilters: {} })).body);
      expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
      expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    } finally {
      await db.update(services).set({ slug: 'checkout' }).where(and(eq(services.workspaceId, scenario.workspace.id), eq(services.slug, '=HYPERLINK("http://evil.test")')));
    }
  });

  it('is itself audited, with its sanitized filters', async () => {
    await text((await exportReport(db, maintainer, { report: 'audit', format: 'markdown', auditFilters: { outcome: 'deny', actor: PLANTS.github.value } })).body);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.action, 'report.export')))
      .orderBy(sql`seq desc`)
      .limit(1);
    expect(event).toMatchObject({ outcome: 'allow', actorLabel: scenario.members.maintainer.email, resourceType: 'report', resourceId: 'audit', details: { format: 'markdown', filters: { outcome: 'deny' } } });
    expect(JSON.stringify(event!.details)).not.toContain(PLANTS.github.needle);
  });

  it('is refused to viewers and developers, and the refusal is audited', async () => {
    for (const role of ['viewer', 'developer'] as const) {
      const error = await exportReport(db, callerOf(role), { report: 'passports', format: 'csv' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).status).toBe(403);
    }
    const denials = await db
      .select({ actor: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, scenario.workspace.id), eq(auditEvents.action, 'report.export'), eq(auditEvents.outcome, 'deny')));
    expect(denials.map((row) => row.actor).sort()).toEqual([scenario.members.developer.email, scenario.members.viewer.email].sort());
  });

  it('streams: the first chunk arrives before the rows are all read', async () => {
    const result = await exportReport(db, maintainer, { report: 'passports', format: 'csv' });
    const reader = result.body.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('Passport,Evaluated at,Service,Environment,Decision,Mode,Blocking,Source SHA,Image digest,Chart version\n');
    await reader.cancel();
  });
});
