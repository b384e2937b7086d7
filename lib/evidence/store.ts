/**
 * Evidence records: the database side of an upload. The bytes are stored content-addressed
 * first (lib/evidence/ingest.ts); the row is written in a transaction; if that fails, bytes this
 * upload stored are removed again, so a failed upload leaves no blob and no row.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { evidence, policies, services } from '@/db/schema/runtime';
import { ProblemError } from '@/lib/http/problem';
import { ensureService } from '@/lib/gate/catalog';
import type { BlobStore } from '@/lib/storage';
import { evidenceKey } from '@/lib/storage/types';
import { ingestEvidence, type EvidenceBody, type StoredEvidence } from './ingest';
import type { EvidenceKind } from './kinds';
import { parsePublicKey } from './provenance-keys';
import type { TrustedKeyMaterial } from './provenance-verify';
import type { RedactionReport } from './sanitize/report';

export interface EvidenceRecord {
  id: string;
  /** sha256 of the bytes as sent: the identity. */
  sha256: string;
  /** sha256 of the stored bytes: differs from `sha256` when something was redacted (`redactions`). */
  storedSha256: string;
  kind: EvidenceKind;
  mediaType: string;
  size: number;
  summary: Record<string, unknown>;
  redactions: RedactionReport;
  service: string | null;
  source: string | null;
  collectedAt: Date;
  createdAt: Date;
}

export interface UploadInput {
  kind: EvidenceKind;
  contentType: string | null;
  contentLength: number | null;
  body: EvidenceBody | null;
  service?: string | null;
  source?: string | null;
  collectedAt?: Date | null;
  createdBy?: string | null;
}

/** Clock skew tolerated on a client-supplied collection time. */
const FUTURE_SKEW_MS = 5 * 60_000;

const ATTESTED_KINDS = new Set<string>(['provenance', 'sbom', 'sarif', 'vex']);

export async function uploadEvidence(
  db: RuntimeDb,
  workspaceId: string,
  store: BlobStore,
  input: UploadInput,
  options: { now?: Date; afterSave?: (tx: RuntimeDb, record: EvidenceRecord, stored: StoredEvidence, duplicate: boolean) => Promise<void> } = {},
): Promise<{ record: EvidenceRecord; stored: StoredEvidence; duplicate: boolean }> {
  const now = options.now ?? new Date();
  if (input.collectedAt && input.collectedAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw new ProblemError('validation-failed', 'collectedAt is in the future; give the time the evidence was produced', {
      errors: [{ path: 'query.collectedAt', message: 'in the future' }],
    });
  }
  const stored = await ingestEvidence({
    kind: input.kind,
    contentType: input.contentType,
    contentLength: input.contentLength,
    body: input.body,
    // Provenance, and SBOMs, scans and VEX that may arrive inside an attestation: signatures are checked with the same keys.
    provenanceKeys: ATTESTED_KINDS.has(input.kind) ? await workspaceProvenanceKeys(db, workspaceId) : undefined,
    store,
    keyFor: (sha256) => evidenceKey(workspaceId, sha256),
  });
  try {
    return await db.transaction(async (tx) => {
      await lockDigest(tx, workspaceId, stored.sha256);
      // Stored by an upload of the same bytes running at the same time: if that one failed and
      // removed them (below), a row written now would name bytes that are gone.
      if (!stored.created && !(await store.exists(stored.storageKey))) {
        throw new ProblemError('storage-unavailable', 'The same evidence was being uploaded at the same moment and that upload failed; nothing was stored. Upload it again.', {
          headers: { 'retry-after': '1' },
        });
      }
      const service = input.service ? await ensureService(tx, workspaceId, input.service) : null;
      const collectedAt = input.collectedAt ?? now;
      const [existing] = await tx
        .select({ id: evidence.id })
        .from(evidence)
        .where(and(eq(evidence.workspaceId, workspaceId), eq(evidence.sha256, stored.sha256), eq(evidence.kind, input.kind)));
      const [row] = await tx
        .insert(evidence)
        .values({
          workspaceId,
          sha256: stored.sha256,
          storedSha256: stored.stored.sha256,
          kind: input.kind,
          mediaType: stored.mediaType,
          size: stored.size,
          storageKey: stored.storageKey,
          summary: stored.summary,
          redactions: stored.redactions,
          source: input.source ?? null,
          serviceId: service?.id ?? null,
          collectedAt,
          createdBy: input.createdBy ?? null,
        })
        .onConflictDoUpdate({
          target: [evidence.workspaceId, evidence.sha256, evidence.kind],
          // The same content collected again: it is as fresh as its newest collection.
          set: {
            collectedAt: sql`greatest(${evidence.collectedAt}, excluded.collected_at)`,
            source: sql`coalesce(excluded.source, ${evidence.source})`,
            serviceId: sql`coalesce(excluded.service_id, ${evidence.serviceId})`,
            // The same bytes judged again: provenance signatures are checked with the keys trusted now.
            summary: sql`excluded.summary`,
          },
        })
        .returning();
      const record = toRecord(row!, input.service ?? null);
      await options.afterSave?.(tx, record, stored, Boolean(existing));
      return { record, stored, duplicate: Boolean(existing) };
    });
  } catch (error) {
    if (stored.created) await removeIfUnreferenced(db, store, workspaceId, stored);
    throw error;
  }
}

/**
 * The public keys the workspace's policies trust for provenance (every provenance-subject rule's
 * trustedKeys, in every scope): signatures of attestations (provenance, and SBOMs, scans and VEX
 * sent inside one) are checked with them at upload, and each rule then
 * counts only the keys it names (by fingerprint). Keys a policy gains later check uploads from then
 * on; uploading the same file again checks it again.
 */
export async function workspaceProvenanceKeys(db: RuntimeDb, workspaceId: string): Promise<TrustedKeyMaterial[]> {
  const rows = await db.select({ rules: policies.rules }).from(policies).where(eq(policies.workspaceId, workspaceId));
  const keys = new Map<string, TrustedKeyMaterial>();
  for (const row of rows) {
    for (const rule of row.rules as Array<{ type?: string; trustedKeys?: Array<{ publicKey?: unknown }> }>) {
      if (rule.type !== 'provenance-subject' || !Array.isArray(rule.trustedKeys)) continue;
      for (const trusted of rule.trustedKeys) {
        if (typeof trusted?.publicKey !== 'string') continue;
        const parsed = parsePublicKey(trusted.publicKey);
        if ('key' in parsed) keys.set(parsed.fingerprint, { fingerprint: parsed.fingerprint, key: parsed.key });
      }
    }
  }
  return [...keys.values()];
}

/**
 * Bytes this failed upload stored are removed unless a row names them. Under the digest's lock,
 * so an upload of the same bytes at the same moment either wrote its row first (the bytes stay) or
 * sees them gone and fails instead of naming missing bytes.
 */
async function removeIfUnreferenced(db: RuntimeDb, store: BlobStore, workspaceId: string, stored: StoredEvidence): Promise<void> {
  await db
    .transaction(async (tx) => {
      await lockDigest(tx, workspaceId, stored.sha256);
      const [referenced] = await tx
        .select({ id: evidence.id })
        .from(evidence)
        .where(and(eq(evidence.workspaceId, workspaceId), eq(evidence.storageKey, stored.storageKey)))
        .limit(1);
      if (!referenced) await store.delete(stored.storageKey);
    })
    // The database or the store is failing too: the bytes stay (unreferenced bytes are harmless,
    // missing ones are not).
    .catch(() => {});
}

async function lockDigest(tx: RuntimeDb, workspaceId: string, sha256: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rp.evidence:${workspaceId}:${sha256}`}, 0))`);
}

type EvidenceRow = typeof evidence.$inferSelect;

function toRecord(row: EvidenceRow, service: string | null): EvidenceRecord {
  return {
    id: row.id,
    sha256: row.sha256,
    storedSha256: row.storedSha256,
    kind: row.kind as EvidenceKind,
    mediaType: row.mediaType,
    size: row.size,
    summary: row.summary as Record<string, unknown>,
    redactions: row.redactions as RedactionReport,
    service,
    source: row.source,
    collectedAt: row.collectedAt,
    createdAt: row.createdAt,
  };
}

/** Evidence of the workspace with these digests (every kind a digest was uploaded as). */
export async function evidenceByDigests(db: RuntimeDb, workspaceId: string, digests: readonly string[], kind?: EvidenceKind): Promise<EvidenceRecord[]> {
  if (digests.length === 0) return [];
  const rows = await db
    .select({ row: evidence, service: services.slug })
    .from(evidence)
    .leftJoin(services, and(eq(services.id, evidence.serviceId), eq(services.workspaceId, workspaceId)))
    .where(and(eq(evidence.workspaceId, workspaceId), inArray(evidence.sha256, [...digests]), kind ? eq(evidence.kind, kind) : undefined));
  return rows.map(({ row, service }) => toRecord(row, service));
}
