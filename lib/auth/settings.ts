/**
 * Sign-in settings, read from the environment when needed (never at build time). The secrets
 * (the OIDC client secret, the proxy's shared secret) are not read here: they are installation
 * secrets of lib/secrets (`oidc.clientSecret`, `proxy.sharedSecret`: RP_OIDC_CLIENT_SECRET and
 * RP_AUTH_PROXY_SECRET, or their _FILE forms), resolved (and audited) only when a sign-in
 * actually needs them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '@/lib/data-dir';
import { resolveInstallationSecret } from '@/lib/secrets';
import { parseAddressList } from '@/lib/http/client-address';
import { configuredBaseUrl } from '@/lib/config/public-url';

/** Environment variables (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** The button label: "Sign in with <name>". */
  name: string;
}

/** A setting that cannot work; the start refuses it with this message, naming the setting. */
export class SignInSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInSettingError';
  }
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export function oidcSettings(env: Env = process.env): OidcSettings | null {
  const issuer = env.RP_OIDC_ISSUER;
  const clientId = env.RP_OIDC_CLIENT_ID;
  if (!issuer || !clientId) return null;
  // Tokens and keys from a plain-http issuer could be changed on the way: only on this machine.
  const url = URL.canParse(issuer) ? new URL(issuer) : null;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname)))) {
    throw new SignInSettingError(`RP_OIDC_ISSUER must be an https URL (http only for localhost): got "${issuer}".`);
  }
  return { issuer, clientId, name: env.RP_OIDC_NAME || 'single sign-on' };
}

export interface ProxySettings {
  addresses: ReturnType<typeof parseAddressList>;
  secretHeader: string;
  emailHeader: string;
  nameHeader: string;
}

/** Trusted reverse-proxy sign-in (oauth2-proxy style): on when its addresses are configured; it also needs the shared secret. */
export function proxySettings(env: Env = process.env): ProxySettings | null {
  const addresses = env.RP_AUTH_PROXY_ADDRESSES;
  if (!addresses) return null;
  return {
    addresses: parseAddressList(addresses, 'RP_AUTH_PROXY_ADDRESSES'),
    secretHeader: (env.RP_AUTH_PROXY_SECRET_HEADER || 'x-rp-proxy-secret').toLowerCase(),
    emailHeader: (env.RP_AUTH_PROXY_EMAIL_HEADER || 'x-forwarded-email').toLowerCase(),
    nameHeader: (env.RP_AUTH_PROXY_NAME_HEADER || 'x-forwarded-preferred-username').toLowerCase(),
  };
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

/** Local accounts (email + password) are on unless RP_LOCAL_ACCOUNTS=false. */
export function localAccountsEnabled(env: Env = process.env): boolean {
  return env.RP_LOCAL_ACCOUNTS !== 'false';
}

/** The URL people use to reach the runtime, for links printed or sent. */
export function publicBaseUrl(env: Env = process.env): string {
  return configuredBaseUrl(env) ?? `http://localhost:${env.PORT || runningServerPort(env) || '3000'}`;
}

/**
 * The port of the server running on this data directory, which its launcher records
 * (scripts/server.mjs): the CLI has no PORT of its own, and its links must reach that server.
 */
function runningServerPort(env: Env): string | null {
  try {
    const file = path.join(dataDir(env), 'runtime', 'server.json');
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown };
    if (typeof recorded.pid !== 'number' || typeof recorded.port !== 'number') return null;
    process.kill(recorded.pid, 0); // throws when that server is gone
    return String(recorded.port);
  } catch {
    return null;
  }
}
