/** The deployment routes' logic (the route wrapper has authenticated, authorized and parsed). */
import type { listDeploymentsEndpoint, reportDeploymentEndpoint } from '@/lib/api/endpoints/deployments';
import { AccessDenied } from '@/lib/http/denial';
import type { ApiContext } from '@/lib/http/with-api';
import { environmentOf, listRunning, reportDeployment } from './store';

export async function handleReportDeployment(ctx: ApiContext<typeof reportDeploymentEndpoint>) {
  const actor = ctx.actor!;
  // A token limited to some services reports only for them: an image of no named service is not theirs to report.
  if (actor.type === 'token' && actor.services !== null && !ctx.body.service) {
    const reason = `the token is limited to services ${actor.services.join(', ')} and the report names none`;
    throw new AccessDenied('forbidden', `This API token is not allowed to do this: ${reason}. Name the service (--service).`, {
      workspaceId: ctx.workspace!.id,
      actor: ctx.audit.actor,
      reason,
    });
  }
  const { deployment, gone } = await reportDeployment(ctx.db, ctx.workspace!, ctx.params.environment, ctx.body, ctx.audit);
  ctx.auditResource(
    { type: 'environment', id: deployment.environment },
    { image: deployment.image, service: deployment.service, status: deployment.match.status, passport: deployment.match.passport?.id ?? null, replaced: gone },
  );
  return { deployment, replaced: gone };
}

export async function handleListDeployments(ctx: ApiContext<typeof listDeploymentsEndpoint>) {
  const environment = await environmentOf(ctx.db, ctx.workspace!.id, ctx.params.environment);
  return { deployments: await listRunning(ctx.db, ctx.workspace!.id, { environmentIds: [environment.id] }) };
}
