/**
 * Sign-in settings, read from the environment when needed (never at build time). The secrets
 * (the OIDC client secret, the proxy's shared secret) are not read here: they are installation
 * secrets of lib/secrets (`oidc.clientSecret`, `proxy.sharedSecret`: RP_OIDC_CLIENT_SECRET and
 * RP_AUTH_PROXY_SECRET, or their _FILE forms), resolved (and audited) only when a sign-in
 * actually needs them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveInstallationSecret } from '@/lib/secrets';
import { settings, type Env, type Settings } from '@/lib/config/settings';
import { configuredBaseUrl } from '@/lib/config/public-url';

export type { Env } from '@/lib/config/settings';

export type OidcSettings = NonNullable<Settings['signIn']['oidc']>;
export type ProxySettings = NonNullable<Settings['signIn']['proxy']>;

/** Single sign-on through the configured OIDC provider (RP_OIDC_ISSUER + RP_OIDC_CLIENT_ID), or null. */
export function oidcSettings(env: Env = process.env): OidcSettings | null {
  return settings(env).signIn.oidc;
}

/** Trusted reverse-proxy sign-in (oauth2-proxy style): on when its addresses are configured; it also needs the shared secret. */
export function proxySettings(env: Env = process.env): ProxySettings | null {
  return settings(env).signIn.proxy;
}

const SIGN_IN_ACTOR = { type: 'system' as const, label: 'sign-in' };

/** The OIDC client secret, read when the token exchange needs it (one audited read per sign-in). */
export async function oidcClientSecret(requestId?: string): Promise<string | null> {
  return (await resolveInstallationSecret('oidc.clientSecret', { actor: SIGN_IN_ACTOR, requestId }))?.reveal() ?? null;
}

/** The proxy's shared secret, read for each proxy sign-in attempt; refused when shorter than 16 characters. */
export async function proxySharedSecret(requestId?: string): Promise<string | null> {
  const secret = (await resolveInstallationSecret('proxy.sharedSecret', { actor: SIGN_IN_ACTOR, requestId }))?.reveal() ?? null;
  return secret && secret.length >= 16 ? secret : null;
}

/** Local accounts (email + password) are on unless RP_LOCAL_ACCOUNTS is off. */
export function localAccountsEnabled(env: Env = process.env): boolean {
  return settings(env).signIn.localAccounts;
}

/** The URL people use to reach the runtime, for links printed or sent. */
export function publicBaseUrl(env: Env = process.env): string {
  const { port, dataDir } = settings(env);
  return configuredBaseUrl(env) ?? `http://localhost:${port ?? runningServerPort(dataDir) ?? 3000}`;
}

/**
 * The port of the server running on this data directory, which its launcher records
 * (scripts/server.mjs): the CLI has no PORT of its own, and its links must reach that server.
 */
function runningServerPort(dataDir: string): number | null {
  try {
    const file = path.join(dataDir, 'runtime', 'server.json');
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown };
    if (typeof recorded.pid !== 'number' || typeof recorded.port !== 'number') return null;
    process.kill(recorded.pid, 0); // throws when that server is gone
    return recorded.port;
  } catch {
    return null;
  }
}
