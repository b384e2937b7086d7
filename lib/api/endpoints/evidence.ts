/** Evidence endpoints: upload (streamed, sanitized, content-addressed) and look-up by digest. */
import { z } from 'zod';
import { serviceNameSchema, sha256HexSchema } from '@/lib/domain/primitives';
import { EVIDENCE_KIND_SPECS, EVIDENCE_KINDS, MAX_EVIDENCE_BYTES } from '@/lib/evidence/kinds';
import { SECRET_KINDS } from '@/lib/evidence/sanitize/patterns';
import { defineEndpoint } from '../endpoint';

const slug = serviceNameSchema;
const sha256 = sha256HexSchema;

export const redactionReportSchema = z
  .object({
    count: z.number().int(),
    byKind: z.partialRecord(z.enum(SECRET_KINDS), z.number().int()),
    items: z.array(z.object({ kind: z.enum(SECRET_KINDS), location: z.string() })),
    truncated: z.boolean(),
  })
  .meta({ id: 'RedactionReport', description: 'What the sanitizer removed before storing: kinds and locations, never values.' });

export const evidenceRecordSchema = z
  .object({
    id: z.string().uuid(),
    sha256: sha256.meta({ description: 'sha256 of the bytes as uploaded (what CI signed, what `sha256sum` gives): the evidence identity the gate, decisions and passports use.' }),
    storedSha256: sha256.meta({ description: 'sha256 of the stored bytes; differs from `sha256` only when something was redacted (listed in `redactions`).' }),
    kind: z.enum(EVIDENCE_KINDS),
    mediaType: z.string(),
    size: z.number().int(),
    summary: z.record(z.string(), z.unknown()).meta({ description: 'The parsed summary (SARIF counts, SBOM components and licenses, JUnit results, provenance subjects...).' }),
    redactions: redactionReportSchema,
    service: slug.nullable(),
    source: z.string().nullable(),
    collectedAt: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Evidence' });

export const uploadEvidence = defineEndpoint({
  id: 'evidence.upload',
  method: 'POST',
  path: '/api/v1/evidence',
  summary: 'Upload evidence',
  description:
    'The request body is the evidence file itself, streamed (never buffered whole), with its media type as Content-Type. ' +
    'It is checked to be the kind named, summarised, stripped of secret values (Kubernetes Secret data, kubeconfig credentials, ' +
    'private keys, tokens), and stored content-addressed by the sha256 of the stored bytes; its identity is the sha256 of the bytes sent. Uploading the same content again ' +
    'returns the same digest and refreshes its collection time. Kinds, media types and size limits: ' +
    EVIDENCE_KINDS.map((kind) => `${kind} (${EVIDENCE_KIND_SPECS[kind].mediaTypes.join(', ')}; up to ${EVIDENCE_KIND_SPECS[kind].maxBytes / 1048576} MB)`).join('; ') +
    '.',
  tags: ['Evidence'],
  auth: 'token-or-session',
  verb: 'evidence.write',
  query: z.object({
    kind: z.enum(EVIDENCE_KINDS),
    service: slug.optional().meta({ description: 'The service the evidence belongs to (created on first use).' }),
    source: z.string().max(500).optional().meta({ description: 'Where it came from, e.g. a CI run URL.' }),
    collectedAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it was produced; defaults to the time of upload. Cannot be in the future.' }),
  }),
  rawBody: { mediaTypes: [...new Set(Object.values(EVIDENCE_KIND_SPECS).flatMap((spec) => spec.mediaTypes))], maxBytes: MAX_EVIDENCE_BYTES },
  status: 201,
  response: evidenceRecordSchema.extend({ duplicate: z.boolean().meta({ description: 'The workspace already held this evidence.' }) }),
  errors: [413, 415, 422, 503, 507],
});

export const getEvidence = defineEndpoint({
  id: 'evidence.get',
  method: 'GET',
  path: '/api/v1/evidence/{sha256}',
  summary: 'Look up evidence by digest',
  tags: ['Evidence'],
  auth: 'token-or-session',
  verb: 'evidence.read',
  params: z.object({ sha256 }),
  query: z.object({ kind: z.enum(EVIDENCE_KINDS).optional() }),
  status: 200,
  response: z.object({ evidence: z.array(evidenceRecordSchema) }),
  errors: [404],
});
