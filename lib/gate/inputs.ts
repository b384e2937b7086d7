/**
 * What the gate judges: the normalized input snapshot. Everything a decision depends on is in
 * here (besides the policy and the evaluation time), in a canonical order, so its hash proves
 * what was judged and a replay re-judges exactly the same thing.
 */
import { z } from 'zod';
import { imageDigestSchema, roleSchema, serviceNameSchema, sha256HexSchema } from '@/lib/domain/primitives';
import { EVIDENCE_KINDS } from '@/lib/evidence/kinds';
import { canonicalHash } from '@/lib/json/canonical';

export const SHA256_HEX = sha256HexSchema;
export const IMAGE_DIGEST = imageDigestSchema;
export const SOURCE_SHA = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full git commit SHA: 40 (or 64) lower-case hex characters');
export const SLUG = serviceNameSchema;
/** ISO 8601 UTC with milliseconds, as Date.toISOString() writes it: the only time format in inputs. */
export const INSTANT = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'an ISO 8601 UTC time with milliseconds');

export const evidenceInputSchema = z.object({
  sha256: SHA256_HEX,
  kind: z.enum(EVIDENCE_KINDS),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  collectedAt: INSTANT,
  /** The parsed summary stored with the evidence (shape depends on the kind). */
  summary: z.record(z.string(), z.unknown()),
  /**
   * When the sanitizer changed the bytes before storing them: the stored copy's digest and how many
   * values were redacted. `sha256` stays the digest of the bytes sent. Absent when nothing was
   * redacted (and in inputs recorded before it was: those hash as before).
   */
  stored: z.object({ sha256: SHA256_HEX, redactions: z.number().int().nonnegative() }).optional(),
});

export const artifactInputSchema = z.object({ name: z.string().min(1).max(512), sha256: SHA256_HEX });

export const approvalInputSchema = z.object({
  approver: z.string(),
  role: roleSchema,
  at: INSTANT,
});

/** A standing rejection of the release: who (their id, and how a message names them), why, when. */
export const rejectionInputSchema = z.object({
  rejecter: z.string(),
  name: z.string(),
  role: roleSchema,
  at: INSTANT,
  note: z.string(),
});

/**
 * A reading taken from a connector (metrics, incidents, GitOps, CI...) at evaluation time.
 * Connector rules (lib/gate/rules/connectors.ts) interpret `value`.
 */
export const connectorReadingSchema = z.object({
  connector: z.string(),
  type: z.string(),
  /** What was read, within the connector's configured scope ("query:error_rate", "app:checkout"). */
  subject: z.string(),
  value: z.unknown(),
  observedAt: INSTANT,
  /** Reading failed: the rule judges "missing" with this message. */
  error: z.string().optional(),
});

export const gateInputsSchema = z.object({
  workspace: SLUG,
  release: z.object({
    service: SLUG,
    environment: SLUG,
    /** The environment is a production one (enforce mode there needs a license). */
    production: z.boolean(),
    sourceSha: SOURCE_SHA,
    imageDigest: IMAGE_DIGEST,
    chartVersion: z.string().max(128).nullable(),
  }),
  evidence: z.array(evidenceInputSchema),
  artifacts: z.array(artifactInputSchema),
  approvals: z.array(approvalInputSchema),
  /** Absent when there are none (and in inputs recorded before rejections existed): those hash as before. */
  rejections: z.array(rejectionInputSchema).optional(),
  /** The user id of the person who first asked the gate for this release, when a person did (not CI). */
  requestingPerson: z.string().optional(),
  connectorReadings: z.array(connectorReadingSchema),
  license: z.object({ productionEnforcement: z.boolean() }),
});

export type GateInputs = z.infer<typeof gateInputsSchema>;
export type EvidenceInput = z.infer<typeof evidenceInputSchema>;
export type ArtifactInput = z.infer<typeof artifactInputSchema>;
export type ApprovalInput = z.infer<typeof approvalInputSchema>;
export type RejectionInput = z.infer<typeof rejectionInputSchema>;
export type ConnectorReading = z.infer<typeof connectorReadingSchema>;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical order of every list, and no duplicate evidence or artifacts. */
export function normalizeInputs(inputs: GateInputs): GateInputs {
  const evidence = [...new Map(inputs.evidence.map((item) => [`${item.kind}:${item.sha256}`, item])).values()];
  const artifacts = [...new Map(inputs.artifacts.map((item) => [`${item.name}\u0000${item.sha256}`, item])).values()];
  return {
    workspace: inputs.workspace,
    release: { ...inputs.release },
    evidence: evidence.sort((a, b) => compare(a.kind, b.kind) || compare(a.sha256, b.sha256)),
    artifacts: artifacts.sort((a, b) => compare(a.name, b.name) || compare(a.sha256, b.sha256)),
    approvals: [...inputs.approvals].sort((a, b) => compare(a.at, b.at) || compare(a.approver, b.approver)),
    ...(inputs.rejections?.length ? { rejections: [...inputs.rejections].sort((a, b) => compare(a.at, b.at) || compare(a.rejecter, b.rejecter)) } : {}),
    ...(inputs.requestingPerson ? { requestingPerson: inputs.requestingPerson } : {}),
    connectorReadings: [...inputs.connectorReadings].sort(
      (a, b) => compare(a.connector, b.connector) || compare(a.type, b.type) || compare(a.subject, b.subject) || compare(a.observedAt, b.observedAt),
    ),
    license: { ...inputs.license },
  };
}

/** sha256 of the canonical JSON of the normalized snapshot. */
export function inputHash(inputs: GateInputs): string {
  return canonicalHash(normalizeInputs(inputs));
}
