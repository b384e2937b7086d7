/** The gate route handler's logic: evaluate, sign, record, and audit the decision. */
import type { evaluateGate } from '@/lib/api/endpoints/gate';
import { appendAuditEvent } from '@/lib/audit/log';
import type { ApiContext } from '@/lib/http/with-api';
import { evaluateGateRequest } from './service';

export async function handleGateEvaluate(ctx: ApiContext<typeof evaluateGate>) {
  const workspace = ctx.workspace!;
  const body = ctx.body;
  const outcome = await evaluateGateRequest(
    ctx.db,
    workspace,
    {
      service: body.service,
      environment: body.environment,
      sourceSha: body.sourceSha,
      imageDigest: body.imageDigest,
      chartVersion: body.chartVersion ?? null,
      evidence: body.evidence,
      artifacts: body.artifacts,
    },
    {
      actorLabel: ctx.audit.actor.label ?? null,
      requestId: ctx.requestId,
      record: async (tx, result) => {
        await appendAuditEvent(tx, {
          ...ctx.audit,
          workspaceId: workspace.id,
          action: 'gate.evaluate',
          resource: { type: 'passport', id: result.passport.id },
          outcome: 'allow',
          details: {
            service: body.service,
            environment: body.environment,
            sourceSha: body.sourceSha,
            imageDigest: body.imageDigest,
            decision: result.decision,
            mode: result.mode,
            requestedMode: result.requestedMode,
            blocking: result.blocking,
            policy: { id: result.policy.id, version: result.policy.version, hash: result.policy.hash },
            reasons: result.reasons.map((reason) => ({ ruleId: reason.ruleId, status: reason.status, effect: reason.effect, message: reason.message })),
            notes: result.notes,
            evidence: body.evidence,
            inputHash: result.inputHash,
            evaluatedAt: result.evaluatedAt,
            keyId: result.passport.keyId,
          },
        });
      },
    },
  );
  return {
    decision: outcome.decision,
    mode: outcome.mode,
    requestedMode: outcome.requestedMode,
    blocking: outcome.blocking,
    reasons: outcome.reasons,
    notes: outcome.notes,
    evaluatedAt: outcome.evaluatedAt,
    inputHash: outcome.inputHash,
    policy: { id: outcome.policy.id, name: outcome.policy.name, version: outcome.policy.version, hash: outcome.policy.hash },
    release: outcome.release,
    passport: { id: outcome.passport.id, url: `/api/v1/passports/${outcome.passport.id}`, keyId: outcome.passport.keyId, envelope: outcome.passport.envelope },
  };
}
