/**
 * A workspace with something of every age for retention tests: passports old, old-but-held and
 * new with their evidence and files, old and new audit events, deployment periods ended long ago,
 * ended recently and running since long ago, and a retention policy.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { deployments, evidence, gateDecisions, passports, releases, workspaces } from '@/db/schema/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { reportDeployment } from '@/lib/deployments/store';
import { uploadEvidence } from '@/lib/evidence/store';
import { cyclonedx } from '@/lib/evidence/testing/fixtures';
import { evaluateGateRequest } from '@/lib/gate/service';
import type { BlobStore } from '@/lib/storage';
import { setLegalHold, setRetentionPolicy } from './policy';

const DAY = 86_400_000;
export const OPERATOR = { actor: { type: 'operator' as const, label: 'retention test' } };

export interface Seeded {
  workspace: { id: string; slug: string };
  passports: { old: string; held: string; recent: string };
  evidence: { oldUsed: string; oldHeld: string; oldUnused: string; recent: string };
  storageKeys: Record<'oldUsed' | 'oldHeld' | 'oldUnused' | 'recent', string>;
  oldAuditEvents: number;
  /** Deployment periods by image: ended 50 days ago, ended 5 days ago, running (open) since 100 days ago, running since 5 days ago. */
  deployments: { endedLongAgo: string; endedRecently: string; runningSinceLongAgo: string; running: string };
}

export async function seedWorkspace(db: RuntimeDb, slug: string, store: BlobStore, options: { policy: boolean; now?: Date }): Promise<Seeded> {
  const now = options.now ?? new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const [workspace] = await db.insert(workspaces).values({ slug, name: slug }).returning({ id: workspaces.id, slug: workspaces.slug });
  const ws = workspace!;

  // The oldest part of the audit chain: 100 days ago.
  const OLD_EVENTS = 6;
  for (let i = 0; i < OLD_EVENTS; i++) {
    await appendAuditEvent(db, { ...OPERATOR, workspaceId: ws.id, action: 'test.old', outcome: 'allow', at: new Date(ago(100).getTime() + i * 1000), details: { i } });
  }

  const upload = async (name: string) => {
    const bytes = Buffer.from(JSON.stringify(cyclonedx([{ name, license: 'MIT' }])));
    const { record, stored } = await uploadEvidence(db, ws.id, store, { kind: 'sbom', contentType: 'application/json', contentLength: bytes.length, body: [new Uint8Array(bytes)], service: 'api' });
    return { sha256: record.sha256, storageKey: stored.storageKey };
  };
  const e = { oldUsed: await upload('old-used'), oldHeld: await upload('old-held'), oldUnused: await upload('old-unused'), recent: await upload('recent') };

  const evaluate = async (sha: string, digest: string) =>
    (
      await evaluateGateRequest(
        db,
        ws,
        { service: 'api', environment: 'staging', sourceSha: sha.repeat(40), imageDigest: `sha256:${'ab'.repeat(32)}`, evidence: [digest], artifacts: [] },
        { actorLabel: 'seed' },
      )
    ).passport.id;
  const p = { old: await evaluate('1', e.oldUsed.sha256), held: await evaluate('2', e.oldHeld.sha256), recent: await evaluate('3', e.recent.sha256) };

  // Age what should be old: 40 days.
  const old = [p.old, p.held];
  await db.update(passports).set({ createdAt: ago(40) }).where(and(eq(passports.workspaceId, ws.id), inArray(passports.id, old)));
  await db.update(gateDecisions).set({ createdAt: ago(40) }).where(and(eq(gateDecisions.workspaceId, ws.id), inArray(gateDecisions.passportId, old)));
  await db
    .update(releases)
    .set({ createdAt: ago(40) })
    .where(and(eq(releases.workspaceId, ws.id), sql`${releases.id} in (select release_id from passports where id in (${sql.join(old.map((id) => sql`${id}`), sql`, `)}))`));
  await db
    .update(evidence)
    .set({ createdAt: ago(40), collectedAt: ago(40) })
    .where(and(eq(evidence.workspaceId, ws.id), inArray(evidence.sha256, [e.oldUsed.sha256, e.oldHeld.sha256, e.oldUnused.sha256])));

  // What ran in staging: api replaced twice (100 days ago, 50 days ago, 5 days ago), worker since 100 days ago.
  const image = (n: string) => `registry.example/app@sha256:${n.repeat(64)}`;
  const report = async (service: string, n: string, days: number) => (await reportDeployment(db, ws, 'staging', { image: image(n), service }, OPERATOR, ago(days))).deployment.id;
  const runningSinceLongAgo = await report('worker', 'd', 100);
  const d = { runningSinceLongAgo, endedLongAgo: await report('api', 'a', 100), endedRecently: await report('api', 'b', 50), running: await report('api', 'c', 5) };

  await setLegalHold(db, ws.id, p.held, { hold: true, reason: 'case LEGAL-42' }, OPERATOR);
  if (options.policy) await setRetentionPolicy(db, ws.id, { passportsDays: 30, evidenceDays: 30, auditDays: 90, deploymentsDays: 30 }, OPERATOR);
  return {
    workspace: ws,
    passports: p,
    evidence: { oldUsed: e.oldUsed.sha256, oldHeld: e.oldHeld.sha256, oldUnused: e.oldUnused.sha256, recent: e.recent.sha256 },
    storageKeys: { oldUsed: e.oldUsed.storageKey, oldHeld: e.oldHeld.storageKey, oldUnused: e.oldUnused.storageKey, recent: e.recent.storageKey },
    oldAuditEvents: OLD_EVENTS,
    deployments: d,
  };
}

/** What is left of a seeded workspace. */
export async function remaining(db: RuntimeDb, store: BlobStore, seeded: Seeded) {
  const ws = seeded.workspace.id;
  const passportIds = (await db.select({ id: passports.id }).from(passports).where(eq(passports.workspaceId, ws))).map((row) => row.id);
  const evidenceDigests = (await db.select({ sha256: evidence.sha256 }).from(evidence).where(eq(evidence.workspaceId, ws))).map((row) => row.sha256);
  const deploymentIds = (await db.select({ id: deployments.id }).from(deployments).where(eq(deployments.workspaceId, ws))).map((row) => row.id);
  const files: Record<string, boolean> = {};
  for (const [name, key] of Object.entries(seeded.storageKeys)) files[name] = await store.exists(key);
  const name = <T extends Record<string, string>>(map: T, values: string[]) =>
    Object.entries(map)
      .filter(([, value]) => values.includes(value))
      .map(([key]) => key)
      .sort();
  return { passports: name(seeded.passports, passportIds), evidence: name(seeded.evidence, evidenceDigests), files, deployments: name(seeded.deployments, deploymentIds) };
}
