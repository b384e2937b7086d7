/** The signed passport as a file: its DSSE envelope exactly as stored (and signed). */
import { and, eq } from 'drizzle-orm';
import { passports } from '@/db/schema/runtime';
import type { passportEnvelope } from '@/lib/api/endpoints/console';
import type { ApiContext } from '@/lib/http/with-api';
import { ProblemError } from '@/lib/http/problem';
import { passportScope } from '@/lib/passport/store';

export async function passportEnvelopeHandler(ctx: ApiContext<typeof passportEnvelope>): Promise<Response> {
  const workspace = ctx.workspace!;
  ctx.authorizeResource(await passportScope(ctx.db, workspace.id, ctx.params.id));
  const [row] = await ctx.db
    .select({ envelope: passports.envelope })
    .from(passports)
    .where(and(eq(passports.workspaceId, workspace.id), eq(passports.id, ctx.params.id)));
  if (!row) throw new ProblemError('not-found', `There is no passport ${ctx.params.id} in this workspace.`);
  return new Response(`${JSON.stringify(row.envelope, null, 2)}\n`, {
    status: 200,
    headers: {
      'content-type': 'application/vnd.dsse.envelope.v1+json',
      'content-disposition': `attachment; filename="passport-${ctx.params.id}.dsse.json"`,
      'cache-control': 'no-store',
    },
  });
}
