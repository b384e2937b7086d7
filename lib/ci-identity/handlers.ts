/** The CI identity routes' logic: trust policy management and the token exchange. */
import type { createTrustPolicyEndpoint, deleteTrustPolicyEndpoint, listTrustPoliciesEndpoint, tokenExchange } from '@/lib/api/endpoints/ci-identity';
import { tokenExchangeRequestSchema } from '@/lib/api/endpoints/ci-identity';
import { WORKSPACE_HEADER } from '@/lib/http/authenticate';
import { AccessDenied } from '@/lib/http/denial';
import { ProblemError } from '@/lib/http/problem';
import type { ApiContext } from '@/lib/http/with-api';
import { verifyDpopProof } from '@/lib/tokens/dpop';
import { findWorkspaceBySlug } from '@/lib/workspaces/store';
import { ExchangeRefused, exchangeIdToken } from './exchange';
import { createTrustPolicy, deleteTrustPolicy, listTrustPolicies, type TrustPolicy } from './policies';
import { configuredPublicUrl } from '@/lib/config/public-url';
import { plural } from '@/lib/text/plural';

function policyView(policy: TrustPolicy) {
  const { workspaceId: _workspace, createdBy: _by, createdAt, ...rest } = policy;
  return { ...rest, createdAt: createdAt.toISOString() };
}

export async function handleListTrustPolicies(ctx: ApiContext<typeof listTrustPoliciesEndpoint>) {
  return { policies: (await listTrustPolicies(ctx.db, ctx.workspace!.id)).map(policyView) };
}

export async function handleCreateTrustPolicy(ctx: ApiContext<typeof createTrustPolicyEndpoint>) {
  const created = await createTrustPolicy(ctx.db, ctx.workspace!.id, ctx.body, ctx.audit, ctx.session?.user.id ?? null);
  if (created === 'name-taken') throw new ProblemError('conflict', `A trust policy named "${ctx.body.name}" exists already; choose another name.`);
  return policyView(created);
}

export async function handleDeleteTrustPolicy(ctx: ApiContext<typeof deleteTrustPolicyEndpoint>) {
  const removed = await deleteTrustPolicy(ctx.db, ctx.workspace!.id, ctx.params.id, ctx.audit);
  if (!removed) throw new ProblemError('not-found', 'No such trust policy in this workspace.');
  return null;
}

const ANONYMOUS = { type: 'anonymous' as const, id: null, label: null };

function refused(workspaceId: string | null, check: string, detail: string): AccessDenied {
  return new AccessDenied('unauthorized', `Token exchange refused (check: ${check}): ${detail}`, { workspaceId, actor: ANONYMOUS, reason: `token exchange: ${check}` });
}

async function readForm(ctx: ApiContext<typeof tokenExchange>): Promise<Record<string, string>> {
  const text = await new Response(ctx.rawBody).text();
  return Object.fromEntries(new URLSearchParams(text));
}

export async function handleTokenExchange(ctx: ApiContext<typeof tokenExchange>) {
  const parsed = tokenExchangeRequestSchema.safeParse(await readForm(ctx));
  if (!parsed.success) {
    // Field paths and messages only: the submitted values (the ID token) are never echoed.
    const errors = parsed.error.issues.map((issue) => ({ path: `body.${issue.path.join('.')}`, message: issue.message }));
    throw new ProblemError('validation-failed', `The request has ${plural(errors.length, 'invalid field')}: ${errors.map((e) => e.path).join(', ')}.`, { errors });
  }
  const form = parsed.data;
  const slug = form.workspace ?? ctx.request.headers.get(WORKSPACE_HEADER)?.trim();
  if (!slug) throw new ProblemError('validation-failed', 'Name the workspace: the form field "workspace" or the RP-Workspace header.', { errors: [{ path: 'body.workspace', message: 'required' }] });
  const workspace = await findWorkspaceBySlug(ctx.db, slug);
  // An unknown workspace is refused like one without a matching policy: no existence oracle.
  if (!workspace) throw refused(null, 'issuer', "no trust policy of this workspace names the ID token's issuer");

  let dpopJkt: string | null = null;
  const proof = ctx.request.headers.get('dpop');
  if (proof) {
    const urls = [ctx.request.url];
    const publicUrl = configuredPublicUrl();
    if (publicUrl) urls.push(new URL('/api/v1/token', publicUrl).toString());
    const check = await verifyDpopProof({ proof, method: 'POST', urls, accessToken: null, boundJkt: null });
    if (!check.ok) throw refused(workspace.id, 'dpop', check.reason);
    dpopJkt = check.jkt;
  }

  try {
    const result = await exchangeIdToken(ctx.db, workspace.id, form.subject_token, { audit: ctx.audit, dpopJkt });
    return {
      access_token: result.token,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' as const,
      token_type: dpopJkt ? ('DPoP' as const) : ('Bearer' as const),
      expires_in: result.expiresIn,
      scope: result.scopes.join(' '),
      ci_identity: result.identity,
    };
  } catch (error) {
    if (error instanceof ExchangeRefused) throw refused(workspace.id, error.check, error.message);
    throw error;
  }
}


