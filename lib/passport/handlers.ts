/** Passport route handlers' logic: read back, replay, and the public keys. */
import type { workspaceJwks, workspaceKeys } from '@/lib/api/endpoints/keys';
import type { getPassport, replayPassport as replayEndpoint } from '@/lib/api/endpoints/passports';
import { ProblemError } from '@/lib/http/problem';
import { externalOrigin } from '@/lib/http/origin';
import type { ApiContext } from '@/lib/http/with-api';
import { publicJwk } from './keys';
import { publishedKeys } from './signing-keys';
import { newerPassport, passportDetails, passportScope, replayPassport } from './store';

export async function handlePassportGet(ctx: ApiContext<typeof getPassport>) {
  ctx.authorizeResource(await passportScope(ctx.db, ctx.workspace!.id, ctx.params.id));
  const [details, newer] = await Promise.all([passportDetails(ctx.db, ctx.workspace!.id, ctx.params.id), newerPassport(ctx.db, ctx.workspace!.id, ctx.params.id)]);
  return { ...details, statement: details.statement as unknown as Record<string, unknown>, inputs: details.inputs as unknown as Record<string, unknown>, newer };
}

export async function handlePassportReplay(ctx: ApiContext<typeof replayEndpoint>) {
  ctx.authorizeResource(await passportScope(ctx.db, ctx.workspace!.id, ctx.params.id));
  const result = await replayPassport(ctx.db, ctx.workspace!.id, ctx.params.id);
  ctx.auditResource({ type: 'passport', id: ctx.params.id }, { match: result.match, replayedId: result.replayedId });
  return result;
}

async function keysOf(ctx: ApiContext<typeof workspaceKeys | typeof workspaceJwks>) {
  const keys = await publishedKeys(ctx.db, ctx.params.workspace);
  if (!keys) throw new ProblemError('not-found', `There is no workspace "${ctx.params.workspace}".`);
  return keys;
}

export async function handleWorkspaceKeys(ctx: ApiContext<typeof workspaceKeys>) {
  const keys = await keysOf(ctx);
  return {
    workspace: ctx.params.workspace,
    jwksUri: `${externalOrigin(ctx.request.headers, ctx.request.url)}/api/v1/workspaces/${ctx.params.workspace}/jwks`,
    keys: keys.map((key) => ({
      keyId: key.keyId,
      algorithm: key.algorithm,
      publicKeyPem: key.publicKeyPem,
      jwk: publicJwk(key.publicKeyPem),
      status: key.status,
      createdAt: key.createdAt.toISOString(),
      retiredAt: key.retiredAt?.toISOString() ?? null,
    })),
  };
}

/** The same keys as a standard JWK Set; public and cacheable for a few minutes (a new key appears on rotation). */
export async function handleWorkspaceJwks(ctx: ApiContext<typeof workspaceJwks>) {
  const keys = await keysOf(ctx);
  return new Response(JSON.stringify({ keys: keys.map((key) => publicJwk(key.publicKeyPem)) }), {
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
  });
}
