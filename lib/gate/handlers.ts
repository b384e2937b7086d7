/** The gate route handler's logic: evaluate, sign, record and audit the decision (lib/gate/service.ts). */
import type { evaluateGate } from '@/lib/api/endpoints/gate';
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
      audit: ctx.audit,
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
    passport: {
      id: outcome.passport.id,
      url: `/api/v1/passports/${outcome.passport.id}`,
      // Where a person reads it: the link CI prints (the API address above answers machines).
      consoleUrl: `/console/${workspace.slug}/passports/${outcome.passport.id}`,
      keyId: outcome.passport.keyId,
      envelope: outcome.passport.envelope,
    },
  };
}
