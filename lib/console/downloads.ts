/** Signed files of a passport: its DSSE envelope as signed, and its VSA. */
import { and, eq } from 'drizzle-orm';
import { passports } from '@/db/schema/runtime';
import type { passportEnvelope, passportVsa } from '@/lib/api/endpoints/console';
import { publicBaseUrl } from '@/lib/auth/settings';
import type { ApiContext } from '@/lib/http/with-api';
import { ProblemError } from '@/lib/http/problem';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope, type DsseEnvelope } from '@/lib/passport/dsse';
import { activeSigningKeyById } from '@/lib/passport/signing-keys';
import type { PassportStatement } from '@/lib/passport/statement';
import { passportScope } from '@/lib/passport/store';
import { envelopeFromStored } from '@/lib/passport/stored-envelope';
import { buildVsa } from '@/lib/passport/vsa';
import { productVersion } from '@/lib/version';

async function storedEnvelope(ctx: ApiContext<typeof passportEnvelope | typeof passportVsa>): Promise<DsseEnvelope> {
  const workspace = ctx.workspace!;
  ctx.authorizeResource(await passportScope(ctx.db, workspace.id, ctx.params.id));
  const [row] = await ctx.db
    .select({ payload: passports.payload, envelope: passports.envelope })
    .from(passports)
    .where(and(eq(passports.workspaceId, workspace.id), eq(passports.id, ctx.params.id)));
  if (!row) throw new ProblemError('not-found', `There is no passport ${ctx.params.id} in this workspace.`);
  return envelopeFromStored(row);
}

function download(envelope: DsseEnvelope, filename: string): Response {
  return new Response(`${JSON.stringify(envelope, null, 2)}\n`, {
    status: 200,
    headers: { 'content-type': 'application/vnd.dsse.envelope.v1+json', 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' },
  });
}

export async function passportEnvelopeHandler(ctx: ApiContext<typeof passportEnvelope>): Promise<Response> {
  return download(await storedEnvelope(ctx), `passport-${ctx.params.id}.dsse.json`);
}

/** The passport's VSA, signed by the passport's own key while it is active (Ed25519: the same bytes at every download). */
export async function passportVsaHandler(ctx: ApiContext<typeof passportVsa>): Promise<Response> {
  const envelope = await storedEnvelope(ctx);
  const keyId = envelope.signatures[0]?.keyid;
  const key = keyId ? await activeSigningKeyById(ctx.db, ctx.workspace!, keyId, { requestId: ctx.requestId }) : null;
  if (!key) {
    throw new ProblemError(
      'conflict',
      `The key that signed passport ${ctx.params.id} has retired, and a retired key signs nothing new: judge the release again (the console's "Judge again", or the next pipeline run) for a passport and VSA signed by the active key.`,
    );
  }
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as PassportStatement;
  const vsa = buildVsa(statement, { baseUrl: publicBaseUrl(), version: productVersion, passportId: ctx.params.id });
  return download(signEnvelope(Buffer.from(vsa.payload, 'utf8'), IN_TOTO_PAYLOAD_TYPE, key), `vsa-${ctx.params.id}.dsse.json`);
}
