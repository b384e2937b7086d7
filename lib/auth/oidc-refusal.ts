/**
 * Why an OIDC callback was refused, when next-auth's error is the provider's answer failing a
 * protocol check (not a fault of this server), and the sign-in page's code for it. No next-auth
 * import: plain error shapes. Classified by Auth.js's `type` and oauth4webapi's `code`, both
 * strings that survive the production build's minification (class names do not).
 */

/** The sign-in page's `?error=` for a refused OIDC answer, instead of Auth.js's "Configuration". */
export const OIDC_REFUSED = 'OidcRefused';

/** oauth4webapi's codes for an answer that failed a check (its other codes are this server's setup). */
const REFUSAL_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED', // aud, iss, nonce, azp
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', // exp, iat, nbf, auth_time
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED', // state, iss parameter
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_RESPONSE_BODY_ERROR', // the token endpoint refused the code: replayed, expired, PKCE verifier
  'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
  'OAUTH_PARSE_ERROR',
  'OAUTH_KEY_SELECTION_FAILED',
]);

/** First sentence only: Auth.js appends "Read more at …"; never values (oauth4webapi keeps those out of its messages). */
function firstSentence(message: string): string {
  return message.split(/\.(\s|$)/)[0]?.trim().slice(0, 200) ?? '';
}

export function oidcProtocolRefusal(error: Error): string | null {
  const type = (error as { type?: string }).type ?? error.name;
  const cause = (error as { cause?: { err?: unknown } }).cause;
  const inner = cause && typeof cause === 'object' && 'err' in cause && cause.err instanceof Error ? cause.err : null;
  if (type === 'InvalidCheck') return `OIDC sign-in refused: ${firstSentence(error.message) || 'a state, nonce or PKCE check failed'}`;
  if (type === 'OAuthCallbackError') return `OIDC sign-in refused: the identity provider answered with an error${oauthErrorCode(cause)}`;
  if (type !== 'CallbackRouteError' || !inner) return null;
  const code = (inner as { code?: unknown }).code;
  if (typeof code !== 'string' || !REFUSAL_CODES.has(code)) return null;
  return `OIDC sign-in refused: ${firstSentence(inner.message)}${oauthErrorCode(inner)}`;
}

/** The OAuth error code (invalid_grant, access_denied…) says which: only when a short token, never its free-text description. */
function oauthErrorCode(holder: unknown): string {
  const code = holder && typeof holder === 'object' && 'error' in holder ? holder.error : null;
  return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? ` (${code})` : '';
}

/**
 * Auth.js answers a refused callback with a redirect to the sign-in page's `?error=Configuration`,
 * which would blame the setup: the same redirect with OIDC_REFUSED, so the page can say what to do.
 */
export function withOidcRefusedError(response: Response): Response {
  const location = response.headers.get('location');
  if (!location || response.status < 300 || response.status >= 400) return response;
  const url = new URL(location);
  if (url.searchParams.get('error') !== 'Configuration') return response;
  url.searchParams.set('error', OIDC_REFUSED);
  const headers = new Headers(response.headers);
  headers.set('location', url.toString());
  return new Response(null, { status: response.status, headers });
}
