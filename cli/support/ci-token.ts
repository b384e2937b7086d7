/**
 * No stored secret in CI: when RP_TOKEN is unset, the CLI asks the CI platform for the job's
 * OIDC ID token and exchanges it at the runtime's /api/v1/token (RFC 8693) for a gate token of
 * at most 15 minutes. GitHub Actions: the job needs `permissions: id-token: write`; the audience
 * is the runtime's URL. GitLab CI: the job's `id_tokens:` names a variable (RP_ID_TOKEN by
 * default, or the one RP_ID_TOKEN_VARIABLE names) with `aud:` the runtime's URL.
 */
import { cliFetch, networkReason } from './http';

type Env = Record<string, string | undefined>;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export class CiIdentityError extends Error {
  override name = 'CiIdentityError';
}

/** Whether this job can prove its identity without a stored secret. */
export function ciIdentityAvailable(env: Env = process.env): boolean {
  return Boolean((env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) || env[env.RP_ID_TOKEN_VARIABLE ?? 'RP_ID_TOKEN']);
}

/** The job's OIDC ID token, for the runtime at `audience`. */
export async function ciIdToken(audience: string, env: Env = process.env): Promise<string> {
  const gitlab = env[env.RP_ID_TOKEN_VARIABLE ?? 'RP_ID_TOKEN'];
  if (gitlab) return gitlab.trim();
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) throw new CiIdentityError('no CI identity: set RP_TOKEN, or run in GitHub Actions with "permissions: id-token: write", or in GitLab CI with id_tokens: RP_ID_TOKEN');
  const url = new URL(requestUrl);
  url.searchParams.set('audience', audience);
  let response: Response;
  try {
    response = await cliFetch(url, { headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' } });
  } catch (error) {
    throw new CiIdentityError(`cannot reach the GitHub Actions ID token endpoint (${url.origin}): ${networkReason(error)}`);
  }
  if (!response.ok) throw new CiIdentityError(`the GitHub Actions ID token endpoint answered ${response.status} (does the job have "permissions: id-token: write"?)`);
  const body = (await response.json().catch(() => null)) as { value?: unknown } | null;
  if (typeof body?.value !== 'string') throw new CiIdentityError('the GitHub Actions ID token endpoint answered without a token');
  return body.value;
}

/** Exchanges the job's ID token for a gate token of the workspace RP_WORKSPACE names. */
export async function exchangeCiIdentity(baseUrl: string, env: Env = process.env): Promise<string> {
  const workspace = env.RP_WORKSPACE;
  if (!workspace) throw new CiIdentityError('name the workspace with RP_WORKSPACE to sign in with the CI identity (or set RP_TOKEN)');
  const idToken = await ciIdToken(env.RP_ID_TOKEN_AUDIENCE ?? baseUrl, env);
  const form = new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: idToken, subject_token_type: ID_TOKEN_TYPE, workspace });
  let response: Response;
  try {
    response = await cliFetch(`${baseUrl}/api/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
  } catch (error) {
    throw new CiIdentityError(`cannot reach ${baseUrl} to exchange the CI identity: ${networkReason(error)}`);
  }
  const body = (await response.json().catch(() => null)) as { access_token?: unknown; detail?: unknown } | null;
  if (!response.ok || typeof body?.access_token !== 'string') {
    throw new CiIdentityError(`the CI identity was not accepted: ${response.status} ${typeof body?.detail === 'string' ? body.detail : response.statusText}`);
  }
  return body.access_token;
}
