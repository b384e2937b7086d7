/** The report export endpoint's handler: the route wrapper has authenticated and parsed; this streams. */
import type { exportReport as exportReportEndpoint } from '@/lib/api/endpoints/console';
import type { ApiContext } from '@/lib/http/with-api';
import { ProblemError } from '@/lib/http/problem';
import { exportReport } from './export';

export async function exportReportHandler(ctx: ApiContext<typeof exportReportEndpoint>): Promise<Response> {
  if (ctx.actor?.type !== 'member' || !ctx.workspace) throw new ProblemError('forbidden', 'Exports are for signed-in members of the workspace.');
  const { format, service, environment, decision, mode, from, to, actor, action, resource, outcome } = ctx.query;
  const result = await exportReport(
    ctx.db,
    { actor: ctx.actor, audit: ctx.audit, workspace: ctx.workspace },
    {
      report: ctx.params.report,
      format,
      passportFilters: { service, environment, decision, mode, from, to },
      auditFilters: { actor, action, resource, outcome, from, to },
    },
  );
  return new Response(result.body, {
    status: 200,
    headers: {
      'content-type': result.contentType,
      'content-disposition': `attachment; filename="${result.filename}"`,
      'cache-control': 'no-store',
    },
  });
}
