/**
 * The gate route handler's logic: evaluate, sign, record and audit the decision (lib/gate/service.ts);
 * a retry with the request's Idempotency-Key gets the first answer (lib/gate/idempotency.ts).
 */
import type { evaluateGate } from '@/lib/api/endpoints/gate';
import type { ApiContext } from '@/lib/http/with-api';
import type { PassportRequester } from '@/lib/passport/statement';
import { IDEMPOTENCY_REPLAYED_HEADER, idempotencyKeyOf } from './idempotency';
import { evaluateGateRequest } from './service';

/** The passport's requester: the CI run behind an exchanged token, else the token or the person. */
function requesterOf(ctx: ApiContext<typeof evaluateGate>): PassportRequester | undefined {
  if (ctx.token) {
    return ctx.token.ciIdentity ? { type: 'ci', label: ctx.token.name, ci: ctx.token.ciIdentity } : { type: 'token', label: ctx.token.name };
  }
  if (ctx.session) return { type: 'user', label: ctx.session.user.email };
  return undefined;
}

export async function handleGateEvaluate(ctx: ApiContext<typeof evaluateGate>) {
  const workspace = ctx.workspace!;
  const body = ctx.body;
  const idempotencyKey = idempotencyKeyOf(ctx.request.headers);
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
      idempotencyKey,
      requestedBy: requesterOf(ctx),
      // A person asking with their own session (a token names no person): an approvals rule may refuse their approval.
      ...(!ctx.token && ctx.session ? { requestingPerson: ctx.session.user.id } : {}),
    },
  );
  const answer = {
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
  if (!outcome.replayed) return answer;
  // A retry: the answer recorded the first time, said so; the retry itself is audited by the wrapper.
  ctx.auditResource({ type: 'passport', id: outcome.passport.id }, { idempotencyKey, replayed: true, decisionId: outcome.decisionId });
  return Response.json(answer, { status: 200, headers: { 'cache-control': 'no-store', [IDEMPOTENCY_REPLAYED_HEADER]: 'true' } });
}
