/** OIDC callback failures that are the provider's answer failing a check, told apart from server faults (no next-auth import: plain error shapes). */
/**
 * Why an OIDC callback was refused, when next-auth's error is the provider's answer failing a
 * protocol check (not a fault of this server): the check in plain words, or null.
 */
export function oidcProtocolRefusal(error: Error): string | null {
  const type = (error as { type?: string }).type ?? error.name;
  const cause = (error as { cause?: { err?: unknown } }).cause;
  const inner = cause && typeof cause === 'object' && 'err' in cause && cause.err instanceof Error ? cause.err : null;
  if (type === 'InvalidCheck') return `OIDC sign-in refused: ${error.message.split('.')[0] || 'a state, nonce or PKCE check failed'}`;
  if (type === 'OAuthCallbackError') return `OIDC sign-in refused: the identity provider answered with an error (${inner?.message ?? error.message.split('.')[0]})`;
  if (type === 'CallbackRouteError' && inner && /OperationProcessingError|ResponseBodyError|AuthorizationResponseError|ResponseError/.test(inner.name + inner.constructor.name)) {
    return `OIDC sign-in refused: ${inner.message}`;
  }
  return null;
}
