/**
 * The session key: AUTH_SECRET, given by the operator or generated into the data directory by the
 * launcher (scripts/server.mjs). A secret value, so it is read here, where sessions use it, and never
 * held in the settings object (lib/config/settings.ts). Edge-safe: the middleware reads it too.
 */
export function authSecret(): string | null {
  // eslint-disable-next-line no-restricted-syntax -- a secret, read where it is used (see above)
  return process.env.AUTH_SECRET || null;
}
