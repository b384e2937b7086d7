/**
 * The server's next-auth configuration: the edge part plus the providers and callbacks that need
 * Node and the database. Built per request from the environment, so settings (and secrets read
 * from files) apply without a rebuild.
 *
 * Providers: `local` (email + argon2id password), `link` (one-time sign-in links), `proxy`
 * (trusted reverse-proxy headers) and `oidc` (any OpenID Connect issuer), each only when
 * configured. Every sign-in creates a server-side session record (lib/auth/sessions.ts) whose id
 * the cookie carries; every sign-in and every refused attempt is an audit event.
 */
import { headers as requestHeaders } from 'next/headers';
import type { NextRequest } from 'next/server';
import NextAuth, { CredentialsSignin, customFetch, type NextAuthConfig, type User } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { and, eq } from 'drizzle-orm';
import { getRuntimeDb } from '@/db/runtime';
import { userIdentities } from '@/db/schema/runtime';
import { clientAddress } from '@/lib/http/client-address';
import { proxyFailure, serverFetch } from '@/lib/http/egress-proxy';
import { logger } from '@/lib/http/logger';
import { rateLimiter } from '@/lib/ratelimit';
import { workspaceClaims } from './claims';
import { edgeAuthConfig } from './edge-config';
import { emailVerifiedClaim, resolveExternalIdentity } from './identities';
import { verifyPassword } from './passwords';
import { proxyIdentity } from './proxy';
import { createSession, revokeSession, type SessionMethod } from './sessions';
import { idTokenRefusal } from './id-token';
import { OIDC_REFUSED, oidcProtocolRefusal, withOidcRefusedError } from './oidc-refusal';
import { auditSignIn } from './sign-in-audit';
import { localAccountsEnabled, oidcClientSecret, oidcSettings, proxySettings, proxySharedSecret } from './settings';
import { consumeSignInLink } from './sign-in-links';
import { findUserByEmail, isEmail, normalizeEmail } from './users';

/** Shown as ?error=CredentialsSignin&code=... on the login page. */
class SignInRefused extends CredentialsSignin {
  override code = 'refused';
}
class TooManyAttempts extends CredentialsSignin {
  override code = 'rate_limited';
}

async function authorizeLocal(credentials: Partial<Record<string, unknown>>, request: Request): Promise<User | null> {
  const email = typeof credentials.email === 'string' ? normalizeEmail(credentials.email) : '';
  const password = typeof credentials.password === 'string' ? credentials.password : '';
  const ip = clientAddress(request.headers);
  if (!isEmail(email) || !password) throw new SignInRefused();
  const limit = await rateLimiter('signIn').limit(`${ip ?? 'unknown'}:${email}`);
  if (!limit.success) {
    await auditSignIn({ outcome: 'deny', method: 'local', email, reason: 'too many attempts', ip });
    throw new TooManyAttempts();
  }
  const db = await getRuntimeDb();
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid || user.disabledAt) {
    const reason = !user ? 'no such account' : user.disabledAt ? 'account disabled' : user.passwordHash ? 'wrong password' : 'the account has no password';
    await auditSignIn({ outcome: 'deny', method: 'local', email, userId: user?.id, reason, ip });
    throw new SignInRefused();
  }
  return { id: user.id, email: user.email, name: user.name };
}

async function authorizeLink(credentials: Partial<Record<string, unknown>>, request: Request): Promise<User | null> {
  const secret = typeof credentials.token === 'string' ? credentials.token : '';
  const db = await getRuntimeDb();
  const user = await consumeSignInLink(db, secret);
  if (!user) {
    await auditSignIn({ outcome: 'deny', method: 'link', email: null, reason: 'sign-in link unknown, used or expired', ip: clientAddress(request.headers) });
    throw new SignInRefused();
  }
  return { id: user.id, email: user.email, name: user.name };
}

async function authorizeProxy(request: Request): Promise<User | null> {
  const settings = proxySettings();
  const ip = clientAddress(request.headers);
  if (!settings) throw new SignInRefused();
  const identity = proxyIdentity(request.headers, settings, await proxySharedSecret(request.headers.get('x-request-id') ?? undefined));
  if (!identity.ok) {
    await auditSignIn({ outcome: 'deny', method: 'proxy', email: null, reason: identity.reason, ip });
    throw new SignInRefused();
  }
  const db = await getRuntimeDb();
  const resolved = await resolveExternalIdentity(db, { provider: 'proxy', subject: identity.email, email: identity.email, emailVerified: true, name: identity.name }, { actor: { type: 'system', label: 'proxy sign-in' }, ip });
  if (!resolved.ok) {
    await auditSignIn({ outcome: 'deny', method: 'proxy', email: identity.email, reason: resolved.reason, ip });
    throw new SignInRefused();
  }
  return { id: resolved.userId, email: resolved.email, name: identity.name };
}

function oidcProviderKey(issuer: string): string {
  return `oidc:${issuer.replace(/\/+$/, '')}`;
}

/** The route handler's request when next-auth runs in one, else the server action's (next/headers). */
async function currentAddress(request: Request | undefined): Promise<{ ip: string | null; userAgent: string | null }> {
  try {
    const headers = request?.headers ?? (await requestHeaders());
    return { ip: clientAddress(headers), userAgent: headers.get('user-agent') };
  } catch {
    return { ip: null, userAgent: null };
  }
}

/** Only the OIDC callback exchanges the code for tokens: the one request that needs the client secret. */
function isOidcCallback(request: Request | undefined): boolean {
  return request !== undefined && new URL(request.url).pathname.endsWith('/api/auth/callback/oidc');
}

/** Protocol refusals next-auth reported (through its logger) while handling a request, audited once it answers. */
const oidcRefusals = new WeakMap<Request, string>();

async function buildConfig(request: Request | undefined): Promise<NextAuthConfig> {
  const providers: NextAuthConfig['providers'] = [];
  if (localAccountsEnabled()) {
    providers.push(Credentials({ id: 'local', name: 'Email and password', credentials: { email: {}, password: {} }, authorize: authorizeLocal }));
  }
  providers.push(Credentials({ id: 'link', name: 'Sign-in link', credentials: { token: {} }, authorize: authorizeLink }));
  if (proxySettings()) {
    providers.push(Credentials({ id: 'proxy', name: 'Your organization', credentials: {}, authorize: (_credentials, request) => authorizeProxy(request) }));
  }
  const oidc = oidcSettings();
  if (oidc) {
    providers.push({
      id: 'oidc',
      name: oidc.name,
      type: 'oidc',
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: isOidcCallback(request) ? ((await oidcClientSecret(request?.headers.get('x-request-id') ?? undefined)) ?? undefined) : undefined,
      authorization: { params: { scope: 'openid email profile' } },
      checks: ['pkce', 'state', 'nonce'],
      // Discovery, the token exchange and the keys, through the egress proxy when one is set.
      [customFetch]: serverFetch,
    });
  }

  return {
    ...edgeAuthConfig,
    providers,
    // A refused sign-in is an audit event already; next-auth would log a stack trace for each.
    logger: {
      error(error) {
        // Auth.js's `type`, not the class name, which the production build minifies.
        const kind = (error as { type?: string }).type ?? error.name;
        if (error instanceof CredentialsSignin || kind === 'CredentialsSignin' || kind === 'AccessDenied') {
          logger.info({ kind }, 'sign-in refused');
          return;
        }
        const refusal = oidcProtocolRefusal(error);
        if (refusal) {
          // The identity provider's answer failed a check (state, nonce, PKCE, audience, issuer, expiry):
          // a refused sign-in for the audit log (written by the route handler below), not a server fault.
          if (request) oidcRefusals.set(request, refusal);
          else void auditSignIn({ outcome: 'deny', method: 'oidc', email: null, reason: refusal, ip: null });
          logger.info({ kind, reason: refusal }, 'OIDC sign-in refused');
          return;
        }
        // next-auth wraps the real failure: keep its cause, which says what went wrong, and say so
        // plainly when it was the egress proxy (down, or refusing the issuer).
        const cause = (error as { cause?: { err?: unknown } | unknown }).cause;
        const underlying = cause && typeof cause === 'object' && 'err' in cause ? cause.err : cause;
        const viaProxy = proxyFailure(underlying) ?? proxyFailure(error);
        logger.error({ err: error, cause: underlying, ...(viaProxy && { reason: viaProxy }) }, viaProxy ? `OIDC sign-in failed: ${viaProxy}` : 'next-auth error');
      },
      warn(code) {
        logger.warn({ code }, 'next-auth warning');
      },
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.type !== 'oidc' || !oidc) return true;
        const { ip } = await currentAddress(request);
        const db = await getRuntimeDb();
        const email = typeof profile?.email === 'string' ? profile.email : null;
        const forged = await idTokenRefusal(account.id_token, { issuer: oidc.issuer, audience: oidc.clientId });
        if (forged) {
          await auditSignIn({ outcome: 'deny', method: 'oidc', email, reason: forged, ip });
          // Not AccessDenied (which says the account cannot be used): the answer itself was not trustworthy.
          return `/login?error=${OIDC_REFUSED}`;
        }
        const resolved = await resolveExternalIdentity(
          db,
          {
            provider: oidcProviderKey(oidc.issuer),
            subject: account.providerAccountId,
            email,
            emailVerified: emailVerifiedClaim(profile),
            name: typeof profile?.name === 'string' ? profile.name : '',
          },
          { actor: { type: 'system', label: 'OIDC sign-in' }, ip },
        );
        if (!resolved.ok) {
          await auditSignIn({ outcome: 'deny', method: 'oidc', email, reason: resolved.reason, ip });
          return false;
        }
        return true;
      },

      async jwt({ token, user, account, trigger }) {
        const db = await getRuntimeDb();
        if ((trigger === 'signIn' || trigger === 'signUp') && account) {
          let userId = user?.id ?? null;
          if (account.type === 'oidc' && oidc) {
            const [identity] = await db
              .select({ userId: userIdentities.userId })
              .from(userIdentities)
              .where(and(eq(userIdentities.provider, oidcProviderKey(oidc.issuer)), eq(userIdentities.subject, account.providerAccountId)))
              .limit(1);
            userId = identity?.userId ?? null;
          }
          if (!userId) return null;
          const method = (account.provider === 'oidc' ? 'oidc' : account.provider) as SessionMethod;
          const { ip, userAgent } = await currentAddress(request);
          const session = await createSession(db, { userId, method, ip, userAgent });
          await auditSignIn({ outcome: 'allow', method, email: user?.email ?? token.email ?? null, userId, ip, details: { sessionId: session.id } });
          return { ...token, sub: userId, sid: session.id, ...(await workspaceClaims(db, userId)) };
        }
        if (trigger === 'update' && token.sub) {
          // Memberships changed (or the middleware found stale claims): fresh ones.
          return { ...token, ...(await workspaceClaims(db, token.sub)) };
        }
        return token;
      },

      session({ session, token }) {
        session.sessionId = token.sid;
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
    events: {
      async signOut(message) {
        const token = 'token' in message ? message.token : null;
        if (!token?.sid || !token.sub) return;
        const db = await getRuntimeDb();
        const { ip } = await currentAddress(request);
        await revokeSession(db, token.sub, token.sid, { actor: { type: 'user', id: token.sub, label: token.email ?? null }, ip });
      },
    },
  };
}

const nextAuth = NextAuth((request) => buildConfig(request));
export const { auth, signIn, signOut, unstable_update } = nextAuth;

/** next-auth's route handlers, plus the audit event and the sign-in page's explanation for a refused OIDC answer. */
async function handle(request: NextRequest, method: 'GET' | 'POST'): Promise<Response> {
  const response = await nextAuth.handlers[method](request);
  const refusal = oidcRefusals.get(request);
  if (!refusal) return response;
  oidcRefusals.delete(request);
  await auditSignIn({ outcome: 'deny', method: 'oidc', email: null, reason: refusal, ip: clientAddress(request.headers) });
  return withOidcRefusedError(response);
}
export const handlers = { GET: (request: NextRequest) => handle(request, 'GET'), POST: (request: NextRequest) => handle(request, 'POST') };

/** Which sign-in methods the login page offers (no secrets: names only). */
export function signInMethods(): { local: boolean; oidc: { name: string } | null; proxy: boolean } {
  let oidc: { name: string } | null = null;
  let proxy = false;
  try {
    const settings = oidcSettings();
    oidc = settings ? { name: settings.name } : null;
  } catch (error) {
    logger.error({ err: error }, 'OIDC sign-in is misconfigured');
  }
  try {
    proxy = proxySettings() !== null;
  } catch (error) {
    logger.error({ err: error }, 'proxy sign-in is misconfigured');
  }
  return { local: localAccountsEnabled(), oidc, proxy };
}
