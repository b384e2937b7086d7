/** The evidence route handlers' logic: upload (audited with the row it writes) and look-up. */
import { appendAuditEvent } from '@/lib/audit/log';
import type { getEvidence, uploadEvidence as uploadEndpoint } from '@/lib/api/endpoints/evidence';
import { ProblemError } from '@/lib/http/problem';
import type { ApiContext } from '@/lib/http/with-api';
import { getBlobStore } from '@/lib/storage';
import { evidenceByDigests, uploadEvidence, type EvidenceRecord } from './store';

function serialize(record: EvidenceRecord) {
  return { ...record, collectedAt: record.collectedAt.toISOString(), createdAt: record.createdAt.toISOString() };
}

export async function handleEvidenceUpload(ctx: ApiContext<typeof uploadEndpoint>) {
  const workspace = ctx.workspace!;
  const length = ctx.request.headers.get('content-length');
  const { record, duplicate } = await uploadEvidence(
    ctx.db,
    workspace.id,
    getBlobStore(),
    {
      kind: ctx.query.kind,
      contentType: ctx.request.headers.get('content-type'),
      contentLength: length ? Number(length) : null,
      body: ctx.rawBody,
      service: ctx.query.service ?? null,
      source: ctx.query.source ?? null,
      collectedAt: ctx.query.collectedAt ? new Date(ctx.query.collectedAt) : null,
      createdBy: ctx.audit.actor.label ?? null,
    },
    {
      afterSave: async (tx, saved, stored, isDuplicate) => {
        await appendAuditEvent(tx, {
          ...ctx.audit,
          workspaceId: workspace.id,
          action: 'evidence.upload',
          resource: { type: 'evidence', id: saved.sha256 },
          outcome: 'allow',
          details: {
            kind: saved.kind,
            mediaType: saved.mediaType,
            size: saved.size,
            storedSha256: stored.stored.sha256,
            service: saved.service,
            source: saved.source,
            duplicate: isDuplicate,
            // What was redacted, by kind and place; never a value.
            redactions: { count: stored.redactions.count, byKind: stored.redactions.byKind, items: stored.redactions.items.slice(0, 20) },
          },
        });
      },
    },
  );
  return { ...serialize(record), duplicate };
}

export async function handleEvidenceGet(ctx: ApiContext<typeof getEvidence>) {
  const records = await evidenceByDigests(ctx.db, ctx.workspace!.id, [ctx.params.sha256], ctx.query.kind);
  if (records.length === 0) throw new ProblemError('not-found', `There is no evidence sha256:${ctx.params.sha256} in this workspace.`);
  // A token limited to some services reads only evidence uploaded for one of them.
  for (const record of records) ctx.authorizeResource({ service: record.service });
  return { evidence: records.map(serialize) };
}
