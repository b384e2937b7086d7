/**
 * A gate evaluation, end to end: resolve the release (services and environments are created on
 * first use), gather its evidence, approvals, connector readings and the license state into the
 * input snapshot, judge it with the policy that applies (lib/gate/evaluate.ts, pure), sign the
 * passport, and record decision and passport in one transaction with their audit event.
 */
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { gateDecisions, passports, releases } from '@/db/schema/runtime';
import { collectConnectorReadings } from '@/lib/connectors/collect';
import { ProblemError } from '@/lib/http/problem';
import { hasProductionEntitlement } from '@/lib/license/status';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope, type DsseEnvelope } from '@/lib/passport/dsse';
import { activeSigningKey } from '@/lib/passport/signing-keys';
import { buildPassport } from '@/lib/passport/statement';
import { policyForRelease } from '@/lib/policy/store';
import { ensureEnvironment, ensureService } from './catalog';
import { evaluateRelease, type AppliedPolicy, type Evaluation } from './evaluate';
import { loadReleaseContext } from './load';
import { normalizeInputs, type GateInputs } from './inputs';

export interface GateRequest {
  service: string;
  environment: string;
  sourceSha: string;
  imageDigest: string;
  chartVersion?: string | null;
  /** sha256 hex digests of evidence uploaded to the workspace. */
  evidence: string[];
  artifacts: Array<{ name: string; sha256: string }>;
}

export interface GateOutcome extends Evaluation {
  evaluatedAt: string;
  inputHash: string;
  policy: AppliedPolicy;
  release: { id: string; service: string; environment: string; sourceSha: string; imageDigest: string; chartVersion: string | null };
  passport: { id: string; keyId: string; envelope: DsseEnvelope };
  decisionId: string;
}

export interface GateContext {
  /** Who asked, as the audit log names them ("token ci-deploy", "alice@example.com"). */
  actorLabel: string | null;
  requestId?: string;
  /** The evaluation time; the server clock by default (a client never chooses it). */
  now?: Date;
  /** Called inside the transaction that records the decision (the audit event goes there). */
  record?: (tx: RuntimeDb, outcome: GateOutcome) => Promise<void>;
}

export async function evaluateGateRequest(db: RuntimeDb, workspace: { id: string; slug: string }, request: GateRequest, context: GateContext): Promise<GateOutcome> {
  const evaluatedAt = (context.now ?? new Date()).toISOString();
  const chartVersion = request.chartVersion ?? null;
  const digests = [...new Set(request.evidence)];
  const identity = { ...request, chartVersion, evidence: digests };
  let loaded = await loadReleaseContext(db, workspace.id, identity);
  if (!loaded.serviceId || !loaded.environmentId || !loaded.releaseId) {
    // First evaluation of this service, environment or release: create what is missing, read again.
    const service = await ensureService(db, workspace.id, request.service);
    const environment = await ensureEnvironment(db, workspace.id, request.environment);
    await ensureRelease(db, workspace.id, { serviceId: service.id, environmentId: environment.id, sourceSha: request.sourceSha, imageDigest: request.imageDigest, chartVersion });
    loaded = await loadReleaseContext(db, workspace.id, identity);
  }
  const serviceId = loaded.serviceId!;
  const environmentId = loaded.environmentId!;
  const releaseId = loaded.releaseId!;

  const unknown = digests.filter((digest) => !loaded.evidence.some((item) => item.sha256 === digest));
  if (unknown.length > 0) {
    throw new ProblemError(
      'unprocessable',
      `This workspace has no evidence with digest ${unknown.map((digest) => `sha256:${digest}`).join(', ')}; upload it first (POST /api/v1/evidence, or let "rp gate" upload the files).`,
      { extensions: { unknownEvidence: unknown } },
    );
  }

  const policy = loaded.policy ?? (await policyForRelease(db, workspace.id, { serviceId, environmentId })).policy;
  const [connectorReadings, productionEnforcement] = await Promise.all([
    // Exactly the readings the policy's connector rules name, through connectors of this environment.
    collectConnectorReadings({
      workspace,
      rules: policy.rules,
      release: { environment: request.environment, sourceSha: request.sourceSha },
      actor: { type: 'system', label: context.actorLabel ? `gate (${context.actorLabel})` : 'gate' },
      requestId: context.requestId,
    }),
    loaded.production ? hasProductionEntitlement({ db }) : Promise.resolve(false),
  ]);

  const inputs: GateInputs = normalizeInputs({
    workspace: workspace.slug,
    release: {
      service: request.service,
      environment: request.environment,
      production: loaded.production,
      sourceSha: request.sourceSha,
      imageDigest: request.imageDigest,
      chartVersion,
    },
    evidence: loaded.evidence,
    artifacts: request.artifacts,
    approvals: loaded.approvals,
    connectorReadings,
    license: { productionEnforcement },
  });

  const evaluation = evaluateRelease(inputs, policy, evaluatedAt);
  const passport = buildPassport(inputs, policy, evaluation, evaluatedAt);
  const key = await activeSigningKey(db, workspace, { requestId: context.requestId });
  const envelope = signEnvelope(Buffer.from(passport.payload, 'utf8'), IN_TOTO_PAYLOAD_TYPE, key);

  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as RuntimeDb;
    // The decision's id is made here so both inserts are sent together (postgres.js pipelines them).
    const decisionId = crypto.randomUUID();
    const recordDecision = tx.insert(gateDecisions).values({
      id: decisionId,
      workspaceId: workspace.id,
      releaseId,
      policyId: policy.id,
      policyVersion: policy.version,
      policyHash: policy.hash,
      decision: evaluation.decision,
      mode: evaluation.mode,
      requestedMode: evaluation.requestedMode,
      blocking: evaluation.blocking,
      reasons: evaluation.reasons,
      notes: evaluation.notes,
      inputHash: passport.statement.predicate.inputHash,
      inputs,
      evaluatedAt: new Date(evaluatedAt),
      passportId: passport.id,
      actor: context.actorLabel,
    });
    // Identical inputs at the identical instant give the identical passport: keep the first.
    const recordPassport = tx
      .insert(passports)
      .values({
        id: passport.id,
        workspaceId: workspace.id,
        releaseId,
        decisionId,
        serviceId,
        environmentId,
        decision: evaluation.decision,
        mode: evaluation.mode,
        blocking: evaluation.blocking,
        payload: passport.payload,
        envelope,
        keyId: key.keyId,
        evaluatedAt: new Date(evaluatedAt),
      })
      .onConflictDoNothing();
    await Promise.all([recordDecision, recordPassport]);
    const outcome: GateOutcome = {
      ...evaluation,
      evaluatedAt,
      inputHash: passport.statement.predicate.inputHash,
      policy,
      release: { id: releaseId, service: request.service, environment: request.environment, sourceSha: request.sourceSha, imageDigest: request.imageDigest, chartVersion },
      passport: { id: passport.id, keyId: key.keyId, envelope },
      decisionId,
    };
    await context.record?.(tx, outcome);
    return outcome;
  });
}

async function ensureRelease(
  db: RuntimeDb,
  workspaceId: string,
  release: { serviceId: string; environmentId: string; sourceSha: string; imageDigest: string; chartVersion: string | null },
): Promise<string> {
  const [created] = await db.insert(releases).values({ workspaceId, ...release }).onConflictDoNothing().returning({ id: releases.id });
  if (created) return created.id;
  const [existing] = await db
    .select({ id: releases.id })
    .from(releases)
    .where(
      and(
        eq(releases.workspaceId, workspaceId),
        eq(releases.serviceId, release.serviceId),
        eq(releases.environmentId, release.environmentId),
        eq(releases.sourceSha, release.sourceSha),
        eq(releases.imageDigest, release.imageDigest),
        sql`coalesce(${releases.chartVersion}, '') = ${release.chartVersion ?? ''}`,
      ),
    );
  return existing!.id;
}
