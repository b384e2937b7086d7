/**
 * Who is calling the API: an API token (Bearer, or DPoP for sender-constrained tokens) or the
 * console session cookie. Every failure is an AccessDenied (401/403/404 problem + audit event);
 * nothing here trusts a header the client could forge beyond the credential itself.
 */
import type { RuntimeDb } from '@/db/runtime';
import type { MemberActor, TokenActor } from '@/lib/access/can';
import type { AuditActor } from '@/lib/audit/event';
import type { EndpointDefinition } from '@/lib/api/endpoint';
import { hasSessionCookie, sessionFromRequest } from '@/lib/auth/request-session';
import type { ActiveSession } from '@/lib/auth/sessions';
import { rememberDpopProof, verifyDpopProof } from '@/lib/tokens/dpop';
import { lookupApiToken, recordApiTokenUse, tokenActor, type ApiTokenRecord } from '@/lib/tokens/store';
import { findMembershipBySlug, type WorkspaceRef } from '@/lib/workspaces/store';
import { AccessDenied } from './denial';
import { ProblemError } from './problem';
import { sameOrigin } from './same-origin';

/** How a console caller (session) names the workspace of a request that is not in its path. */
export const WORKSPACE_HEADER = 'rp-workspace';

const ANONYMOUS: AuditActor = { type: 'anonymous' };
const BEARER_CHALLENGE = 'Bearer realm="release-passport"';

export type Caller =
  | { kind: 'token'; token: ApiTokenRecord; actor: TokenActor; workspace: WorkspaceRef }
  | { kind: 'session'; session: ActiveSession; actor: MemberActor | null; workspace: WorkspaceRef | null };

export function auditActorOf(caller: Caller | null): AuditActor {
  if (!caller) return ANONYMOUS;
  if (caller.kind === 'token') return { type: 'token', id: caller.token.id, label: caller.token.name };
  return { type: 'user', id: caller.session.user.id, label: caller.session.user.email };
}

function unauthorized(detail: string, reason: string, challenge: string, audit: { workspaceId: string | null; actor: AuditActor } = { workspaceId: null, actor: ANONYMOUS }): AccessDenied {
  return new AccessDenied('unauthorized', detail, { ...audit, reason }, { headers: { 'www-authenticate': challenge } });
}

function tokenError(error: string, description: string, scheme = 'Bearer'): string {
  return `${scheme} realm="release-passport", error="${error}", error_description="${description.replace(/"/g, "'")}"`;
}

export interface AuthenticateInput {
  db: RuntimeDb;
  request: Request;
  endpoint: Pick<EndpointDefinition, 'auth' | 'verb'>;
  /** The workspace slug the request names (path parameter or header), if any. */
  namedWorkspace: string | null;
  ip: string | null;
  /** URLs the client may have used for this request (for DPoP htu). */
  urls: string[];
}

export async function authenticate(input: AuthenticateInput): Promise<Caller> {
  const { request, endpoint } = input;
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    // A bad credential is a 401 whatever the endpoint; a good token on a console-only endpoint a 403.
    const caller = await authenticateToken(input, authorization);
    if (endpoint.auth === 'session') {
      throw new AccessDenied('forbidden', 'This endpoint is for the signed-in console only; API tokens cannot call it.', {
        workspaceId: caller.workspace.id,
        actor: auditActorOf(caller),
        reason: 'API token used on a session-only endpoint',
      });
    }
    return caller;
  }
  if (endpoint.auth !== 'token' && hasSessionCookie(request.headers)) {
    return authenticateSession(input);
  }
  throw unauthorized(
    endpoint.auth === 'token'
      ? 'Send an API token as "Authorization: Bearer rp_..." (create one under Settings → API tokens).'
      : 'Sign in, or send an API token as "Authorization: Bearer rp_...".',
    'no credentials',
    BEARER_CHALLENGE,
  );
}

async function authenticateToken(input: AuthenticateInput, authorization: string): Promise<Extract<Caller, { kind: 'token' }>> {
  const { db, request, ip } = input;
  const match = /^(Bearer|DPoP) +([^\s]+)\s*$/i.exec(authorization);
  if (!match) {
    throw unauthorized('The Authorization header must be "Bearer rp_..." (or "DPoP rp_..." for a DPoP-bound token).', 'malformed Authorization header', tokenError('invalid_request', 'malformed Authorization header'));
  }
  const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const presented = match[2]!;
  const found = await lookupApiToken(db, presented);
  if (!found.ok) {
    const audit = found.record ? { workspaceId: found.record.workspaceId, actor: { type: 'token' as const, id: found.record.id, label: found.record.name } } : undefined;
    const detail = {
      malformed: 'This is not a Release Passport API token (rp_ followed by 46 letters and digits). Check that the whole token was copied.',
      unknown: 'This API token is not known: it may be mistyped or deleted. Create a new one under Settings → API tokens.',
      expired: `This API token expired${found.record ? ` on ${found.record.expiresAt.toISOString()}` : ''}. Create a new one under Settings → API tokens.`,
      revoked: 'This API token was revoked. Create a new one under Settings → API tokens.',
    }[found.failure];
    throw unauthorized(detail, `token ${found.failure}`, tokenError('invalid_token', `token ${found.failure}`), audit);
  }
  const { record, workspace } = found;
  const actor = tokenActor(record);
  const auditAs = { workspaceId: record.workspaceId, actor: { type: 'token' as const, id: record.id, label: record.name } };

  if (record.dpopJkt) {
    if (scheme !== 'DPoP') {
      throw unauthorized('This token is bound to a DPoP key: send it as "Authorization: DPoP rp_..." with a DPoP proof header.', 'DPoP-bound token sent as a bearer token', tokenError('invalid_token', 'DPoP-bound token', 'DPoP'), auditAs);
    }
    const proofs = request.headers.get('dpop');
    if (!proofs || proofs.includes(',')) {
      throw unauthorized('Send exactly one DPoP proof in the "DPoP" header (RFC 9449).', 'missing DPoP proof', tokenError('invalid_dpop_proof', 'missing DPoP proof', 'DPoP'), auditAs);
    }
    const check = await verifyDpopProof({ proof: proofs, method: request.method, urls: input.urls, accessToken: presented, boundJkt: record.dpopJkt });
    if (!check.ok) {
      throw unauthorized(`The DPoP proof was refused: ${check.reason}.`, `DPoP: ${check.reason}`, tokenError('invalid_dpop_proof', check.reason, 'DPoP'), auditAs);
    }
    if (!(await rememberDpopProof(db, check.jkt, check.jti, check.iat))) {
      throw unauthorized('The DPoP proof was already used: make a new proof (new jti) for every request.', 'DPoP proof replayed', tokenError('invalid_dpop_proof', 'proof replayed', 'DPoP'), auditAs);
    }
  } else if (scheme === 'DPoP') {
    throw unauthorized('This token is not bound to a DPoP key: send it as "Authorization: Bearer rp_...".', 'unbound token sent with the DPoP scheme', tokenError('invalid_token', 'token is not DPoP-bound'), auditAs);
  }

  if (input.namedWorkspace !== null && input.namedWorkspace !== workspace.slug) {
    throw new AccessDenied('forbidden', `This API token belongs to another workspace, not "${input.namedWorkspace}".`, { ...auditAs, reason: `token used for workspace "${input.namedWorkspace}"` });
  }
  await recordApiTokenUse(db, record, ip);
  return { kind: 'token', token: record, actor, workspace };
}

async function authenticateSession(input: AuthenticateInput): Promise<Caller> {
  const { db, request, endpoint } = input;
  const session = await sessionFromRequest(db, request.headers);
  if (!session) {
    throw unauthorized('Your session has ended or was signed out. Sign in again.', 'no active session', BEARER_CHALLENGE);
  }
  const actorAudit: AuditActor = { type: 'user', id: session.user.id, label: session.user.email };
  if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && !sameOrigin(request)) {
    // Cookies ride along on cross-site requests; a console mutation must come from the console.
    throw new AccessDenied('forbidden', 'Cross-site requests cannot use the console session.', { workspaceId: null, actor: actorAudit, reason: 'cross-site request with a session cookie' });
  }
  if (input.namedWorkspace === null) {
    if (endpoint.verb !== null) {
      throw new ProblemError('bad-request', `Name the workspace with the "${WORKSPACE_HEADER}" header (its slug), as console requests do.`);
    }
    return { kind: 'session', session, actor: null, workspace: null };
  }
  const membership = await findMembershipBySlug(db, session.user.id, input.namedWorkspace);
  if (!membership) {
    // 404, not 403: a non-member must not learn whether the workspace exists.
    throw new AccessDenied('not-found', `There is no workspace "${input.namedWorkspace}" that you are a member of.`, {
      workspaceId: null,
      actor: actorAudit,
      reason: `not a member of workspace "${input.namedWorkspace}"`,
    });
  }
  return {
    kind: 'session',
    session,
    workspace: membership.workspace,
    actor: {
      type: 'member',
      userId: session.user.id,
      email: session.user.email,
      name: session.user.name,
      workspaceId: membership.workspace.id,
      role: membership.role,
      sessionId: session.id,
    },
  };
}
