/**
 * A gate evaluation, end to end: resolve the release (services and environments are created on
 * first use), gather its evidence, approvals, connector readings and the license state into the
 * input snapshot, judge it with the policy that applies (lib/gate/evaluate.ts, pure), sign the
 * passport, and record decision and passport in one statement with their audit event.
 */
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import type { StatementHandle } from '@/db/statement';
import { gateDecisions, gateIdempotencyKeys, passports, releases } from '@/db/schema/runtime';
import type { AuditContext, AuditEventInput } from '@/lib/audit/event';
import { auditedStatement } from '@/lib/audit/log';
import { collectConnectorReadings } from '@/lib/connectors/collect';
import { ProblemError } from '@/lib/http/problem';
import { hasProductionEntitlement } from '@/lib/license/status';
import { decisionNotifications, enqueueSql } from '@/lib/notifications/events';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope, type DsseEnvelope } from '@/lib/passport/dsse';
import { activeSigningKey } from '@/lib/passport/signing-keys';
import { buildPassport, type PassportRequester } from '@/lib/passport/statement';
import { envelopeToStore } from '@/lib/passport/stored-envelope';
import { policyForRelease } from '@/lib/policy/store';
import { ensureEnvironment, ensureService } from './catalog';
import { answerToRecord, IDEMPOTENCY_KEY_HOURS, isKeyTaken, recordedAnswer, replayOf, requestHashOf } from './idempotency';
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
  /** True when this is the answer recorded earlier under the request's idempotency key. */
  replayed?: boolean;
}

export interface GateContext {
  /** Who asked, as the audit log names them ("token ci-deploy", "alice@example.com"). */
  actorLabel: string | null;
  requestId?: string;
  /** The evaluation time; the server clock by default (a client never chooses it). */
  now?: Date;
  /** Who asked, from where (the route wrapper's audit context); the decision's audit event names them. */
  audit?: AuditContext;
  /** The request's Idempotency-Key (lib/gate/idempotency.ts): a retry gets the first answer. */
  idempotencyKey?: string | null;
  /** Who asked, signed into the passport (a CI run's identity, a token, a person). */
  requestedBy?: PassportRequester;
  /** The user id of the person asking with their own session (not a token): recorded on a release this call creates. */
  requestingPerson?: string;
}

export async function evaluateGateRequest(db: RuntimeDb, workspace: { id: string; slug: string }, request: GateRequest, context: GateContext): Promise<GateOutcome> {
  const chartVersion = request.chartVersion ?? null;
  const idempotency = context.idempotencyKey ? { key: context.idempotencyKey, requestHash: requestHashOf({ ...request, chartVersion }) } : null;
  const evaluatedAt = (context.now ?? new Date()).toISOString();
  const digests = [...new Set(request.evidence)];
  const identity = { ...request, chartVersion, evidence: digests };
  // With a key, the same round trip reads the answer recorded under it: a retry gets that answer.
  let loaded = await loadReleaseContext(db, workspace.id, identity, idempotency?.key ?? null);
  if (idempotency && loaded.recorded) return { ...replayOf<GateOutcome>(loaded.recorded, idempotency.key, idempotency.requestHash), replayed: true };
  refuseArchived(workspace, request, loaded);
  // Refused before anything is written: a request naming evidence the workspace lacks creates no
  // service, environment or release (the evidence is read by digest, whatever the release).
  const unknown = digests.filter((digest) => !loaded.evidence.some((item) => item.sha256 === digest));
  if (unknown.length > 0) {
    throw new ProblemError(
      'unprocessable',
      `This workspace has no evidence with digest ${unknown.map((digest) => `sha256:${digest}`).join(', ')}; upload it first (POST /api/v1/evidence, or let "rp gate" upload the files).`,
      { extensions: { unknownEvidence: unknown } },
    );
  }

  if (!loaded.serviceId || !loaded.environmentId || !loaded.releaseId) {
    // First evaluation of this service, environment or release: create what is missing, read again.
    const service = await ensureService(db, workspace.id, request.service);
    const environment = await ensureEnvironment(db, workspace.id, request.environment);
    await ensureRelease(db, workspace.id, {
      serviceId: service.id,
      environmentId: environment.id,
      sourceSha: request.sourceSha,
      imageDigest: request.imageDigest,
      chartVersion,
      requestedBy: context.requestingPerson ?? null,
    });
    loaded = await loadReleaseContext(db, workspace.id, identity);
  }
  const serviceId = loaded.serviceId!;
  const environmentId = loaded.environmentId!;
  const releaseId = loaded.releaseId!;

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
    rejections: loaded.rejections,
    ...(loaded.requestingPerson ? { requestingPerson: loaded.requestingPerson } : {}),
    connectorReadings,
    license: { productionEnforcement },
  });

  const decisionId = crypto.randomUUID();
  const evaluation = evaluateRelease(inputs, policy, evaluatedAt);
  const passport = buildPassport(inputs, policy, evaluation, evaluatedAt, decisionId, context.requestedBy);
  const key = await activeSigningKey(db, workspace, { requestId: context.requestId });
  const envelope = signEnvelope(Buffer.from(passport.payload, 'utf8'), IN_TOTO_PAYLOAD_TYPE, key);

  const outcome: GateOutcome = {
    ...evaluation,
    evaluatedAt,
    inputHash: passport.statement.predicate.inputHash,
    policy,
    release: { id: releaseId, service: request.service, environment: request.environment, sourceSha: request.sourceSha, imageDigest: request.imageDigest, chartVersion },
    passport: { id: passport.id, keyId: key.keyId, envelope },
    decisionId,
  };
  const record = idempotency ? recordKeyedDecision : recordDecision;
  const recorded = await record(db, decisionAuditEvent(workspace, request, outcome, context), {
    ...(idempotency ? { idempotencyKey: idempotency.key, requestHash: idempotency.requestHash, response: answerToRecord(outcome) } : {}),
    decisionId,
    workspaceId: workspace.id,
    releaseId,
    serviceId,
    environmentId,
    policyId: policy.id,
    policyVersion: policy.version,
    policyHash: policy.hash,
    decision: evaluation.decision,
    mode: evaluation.mode,
    requestedMode: evaluation.requestedMode,
    blocking: evaluation.blocking,
    reasons: evaluation.reasons,
    notes: evaluation.notes,
    inputHash: outcome.inputHash,
    inputs,
    evaluatedAt: new Date(evaluatedAt),
    actor: context.actorLabel,
    passportId: passport.id,
    payload: passport.payload,
    envelope: envelopeToStore(envelope),
    keyId: key.keyId,
    // The notifications this decision is due to send, enqueued by the same statement (an outbox).
    notifications: JSON.stringify(
      decisionNotifications({
        workspace: workspace.slug,
        service: request.service,
        environment: request.environment,
        releaseId,
        release: { sourceSha: request.sourceSha, imageDigest: request.imageDigest, chartVersion },
        passportId: passport.id,
        decision: evaluation.decision,
        mode: evaluation.mode,
        blocking: evaluation.blocking,
        reasons: evaluation.reasons,
        at: evaluatedAt,
      }),
    ),
  }).then(
    () => outcome,
    async (error: unknown) => {
      // Another attempt with this key recorded first (a client retry racing its original): its answer stands.
      if (!idempotency || !isKeyTaken(error)) throw error;
      const earlier = await recordedAnswer<GateOutcome>(db, workspace.id, idempotency.key, idempotency.requestHash);
      if (!earlier) throw error;
      return { ...earlier, replayed: true };
    },
  );
  return recorded;
}

/**
 * An archived service or environment takes no new releases (409, nothing written); its passports
 * and history stay readable. The answer names it and how to take it back into use.
 */
function refuseArchived(workspace: { slug: string }, request: GateRequest, loaded: { serviceArchived: boolean; environmentArchived: boolean }): void {
  const archived = [
    ...(loaded.serviceArchived ? [{ kind: 'service', slug: request.service, command: 'services' }] : []),
    ...(loaded.environmentArchived ? [{ kind: 'environment', slug: request.environment, command: 'environments' }] : []),
  ];
  if (!archived.length) return;
  const named = archived.map((item) => `${item.kind} "${item.slug}"`).join(' and ');
  const how = archived.map((item) => `rp ${item.command} update ${item.slug} --unarchive`).join(' and ');
  throw new ProblemError(
    'conflict',
    `The ${named} ${archived.length === 1 ? 'is' : 'are'} archived in workspace "${workspace.slug}": the gate takes no new releases for ${archived.length === 1 ? 'it' : 'them'}. ` +
      `${archived.length === 1 ? 'Its' : 'Their'} passports stay readable. To release again, unarchive ${archived.length === 1 ? 'it' : 'them'} in the console (Services) or with "${how}".`,
    { extensions: { archived: archived.map(({ kind, slug }) => ({ kind, slug })) } },
  );
}

/**
 * The decision, its passport, the notifications it is due to send (lib/notifications/events.ts:
 * one delivery row per subscribed endpoint, none when there are none) and the audit event, in one
 * statement compiled once (the gate runs on every pipeline; see db/statement.ts). Every decision has its own passport (its id is signed in
 * it), so N calls are always N decisions and N passports, however they fall on the clock.
 */
const decisionChanges = (db: StatementHandle, value: (name: string) => never) => [
  db
    .insert(gateDecisions)
    .values({
      id: value('decisionId'),
      workspaceId: value('workspaceId'),
      releaseId: value('releaseId'),
      policyId: value('policyId'),
      policyVersion: value('policyVersion'),
      policyHash: value('policyHash'),
      decision: value('decision'),
      mode: value('mode'),
      requestedMode: value('requestedMode'),
      blocking: value('blocking'),
      reasons: value('reasons'),
      notes: value('notes'),
      inputHash: value('inputHash'),
      inputs: value('inputs'),
      evaluatedAt: value('evaluatedAt'),
      passportId: value('passportId'),
      actor: value('actor'),
    })
    .getSQL(),
  db
    .insert(passports)
    .values({
      id: value('passportId'),
      workspaceId: value('workspaceId'),
      releaseId: value('releaseId'),
      decisionId: value('decisionId'),
      serviceId: value('serviceId'),
      environmentId: value('environmentId'),
      decision: value('decision'),
      mode: value('mode'),
      blocking: value('blocking'),
      payload: value('payload'),
      envelope: value('envelope'),
      keyId: value('keyId'),
      evaluatedAt: value('evaluatedAt'),
    })
    .getSQL(),
  enqueueSql(value('workspaceId'), value('notifications')),
];

const recordDecision = auditedStatement(decisionChanges);

/** The same, with the request's idempotency key and the answer to give a retry: both or neither. */
const recordKeyedDecision = auditedStatement((db, value) => [
  ...decisionChanges(db, value),
  db
    .insert(gateIdempotencyKeys)
    .values({
      workspaceId: value('workspaceId'),
      key: value('idempotencyKey'),
      requestHash: value('requestHash'),
      decisionId: value('decisionId'),
      response: value('response'),
      expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_KEY_HOURS})`,
    })
    .getSQL(),
]);

/** Every decision is in the audit log (whoever asked: a token, the console, a test). */
function decisionAuditEvent(workspace: { id: string }, request: GateRequest, result: GateOutcome, context: GateContext): AuditEventInput {
  return {
    ...(context.audit ?? { actor: { type: 'system', label: context.actorLabel ?? 'gate' }, requestId: context.requestId ?? null }),
    workspaceId: workspace.id,
    action: 'gate.evaluate',
    resource: { type: 'passport', id: result.passport.id },
    outcome: 'allow',
    details: {
      service: request.service,
      environment: request.environment,
      sourceSha: request.sourceSha,
      imageDigest: request.imageDigest,
      decision: result.decision,
      mode: result.mode,
      requestedMode: result.requestedMode,
      blocking: result.blocking,
      policy: { id: result.policy.id, version: result.policy.version, hash: result.policy.hash },
      reasons: result.reasons.map((reason) => ({ ruleId: reason.ruleId, status: reason.status, effect: reason.effect, message: reason.message })),
      notes: result.notes,
      evidence: request.evidence,
      inputHash: result.inputHash,
      evaluatedAt: result.evaluatedAt,
      keyId: result.passport.keyId,
    },
  };
}

async function ensureRelease(
  db: RuntimeDb,
  workspaceId: string,
  release: { serviceId: string; environmentId: string; sourceSha: string; imageDigest: string; chartVersion: string | null; requestedBy: string | null },
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
