/**
 * DPoP sender constraint (RFC 9449, docs/security-model.md). A token bound to a key (api_tokens.dpop_jkt) is
 * only accepted as `Authorization: DPoP <token>` with a `DPoP` proof: a JWT signed by that key
 * whose header carries the public key, and whose claims name this request (htm, htu), are fresh
 * (iat), unique (jti, remembered while fresh) and bound to this very token (ath).
 */
import crypto from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { RuntimeDb } from '@/db/runtime';
import { dpopProofs } from '@/db/schema/runtime';

/** Asymmetric algorithms only (RFC 9449 section 4.2: no MAC, no "none"). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
/** How old a proof may be, and how far in the future its iat may lie (clock skew). */
export const DPOP_MAX_AGE_SECONDS = 60;
export const DPOP_MAX_SKEW_SECONDS = 10;

export type DpopCheck = { ok: true; jkt: string; jti: string; iat: number } | { ok: false; reason: string };

/** The htu a proof must carry for a request: scheme, host and path, without query or fragment. */
export function htuOf(url: string | URL): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

export function accessTokenHash(accessToken: string): string {
  return crypto.createHash('sha256').update(accessToken).digest('base64url');
}

export async function verifyDpopProof(input: {
  proof: string;
  method: string;
  /** Every URL the client may legitimately have used (the request URL, the configured public URL). */
  urls: string[];
  /** Null for a proof sent to the token endpoint (RFC 9449 section 5): no token yet, so no ath. */
  accessToken: string | null;
  /** Null when the proof's key is what the token will be bound to (token exchange). */
  boundJkt: string | null;
  now?: Date;
}): Promise<DpopCheck> {
  let header;
  try {
    header = decodeProtectedHeader(input.proof);
  } catch {
    return { ok: false, reason: 'the DPoP proof is not a JWT' };
  }
  if (header.typ !== 'dpop+jwt') return { ok: false, reason: 'the DPoP proof must have typ "dpop+jwt"' };
  if (!header.alg || !DPOP_ALGORITHMS.includes(header.alg)) return { ok: false, reason: 'the DPoP proof must be signed with an asymmetric algorithm' };
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== 'object') return { ok: false, reason: 'the DPoP proof carries no public key (jwk)' };
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return { ok: false, reason: 'the DPoP proof header must carry a public key only' };

  let payload;
  try {
    ({ payload } = await jwtVerify(input.proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGORITHMS }));
  } catch {
    return { ok: false, reason: 'the DPoP proof signature does not verify' };
  }
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  if (input.boundJkt !== null && jkt !== input.boundJkt) return { ok: false, reason: 'the DPoP proof is signed by a key the token is not bound to' };
  if (payload.htm !== input.method.toUpperCase()) return { ok: false, reason: 'the DPoP proof is for another HTTP method (htm)' };
  if (typeof payload.htu !== 'string' || !safeHtu(payload.htu, input.urls)) return { ok: false, reason: 'the DPoP proof is for another URL (htu)' };
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (typeof payload.iat !== 'number') return { ok: false, reason: 'the DPoP proof has no iat' };
  if (payload.iat < now - DPOP_MAX_AGE_SECONDS || payload.iat > now + DPOP_MAX_SKEW_SECONDS) {
    return { ok: false, reason: `the DPoP proof is not fresh (iat must be within ${DPOP_MAX_AGE_SECONDS} s)` };
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 200) return { ok: false, reason: 'the DPoP proof needs a unique jti' };
  if (input.accessToken !== null && payload.ath !== accessTokenHash(input.accessToken)) return { ok: false, reason: 'the DPoP proof is not bound to this token (ath)' };
  return { ok: true, jkt, jti: payload.jti, iat: payload.iat };
}

function safeHtu(htu: string, urls: string[]): boolean {
  try {
    const normalized = htuOf(htu);
    return urls.some((url) => htuOf(url) === normalized);
  } catch {
    return false;
  }
}

/**
 * Remembers a proof's jti for as long as the proof could be accepted; false when it was seen
 * before (a replay). Stored in the database, so every replica refuses the replay.
 */
export async function rememberDpopProof(db: RuntimeDb, jkt: string, jti: string, iat: number): Promise<boolean> {
  const expiresAt = new Date((iat + DPOP_MAX_AGE_SECONDS + DPOP_MAX_SKEW_SECONDS) * 1000);
  const inserted = await db.insert(dpopProofs).values({ jkt, jti, expiresAt }).onConflictDoNothing().returning({ jti: dpopProofs.jti });
  // Old proofs of this key are useless now: keep the table small without a separate job.
  await db.delete(dpopProofs).where(and(eq(dpopProofs.jkt, jkt), lt(dpopProofs.expiresAt, new Date(Date.now() - 60_000))));
  return inserted.length === 1;
}

/** Client side (the rp CLI, tests): a proof for one request with this key pair. */
export async function createDpopProof(input: {
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
  alg?: string;
  method: string;
  url: string;
  /** Absent for the proof sent to the token endpoint, where no token exists yet. */
  accessToken?: string | null;
  jti?: string;
  iat?: number;
}): Promise<string> {
  const alg = input.alg ?? 'ES256';
  const { kty, crv, x, y, n, e } = input.publicJwk;
  const jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined));
  return new SignJWT({ htm: input.method.toUpperCase(), htu: htuOf(input.url), ...(input.accessToken ? { ath: accessTokenHash(input.accessToken) } : {}), jti: input.jti ?? crypto.randomUUID() })
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk })
    .setIssuedAt(input.iat ?? Math.floor(Date.now() / 1000))
    .sign(input.privateKey);
}

/** The thumbprint to bind a token to (`rp admin create-token --dpop-jkt`, the tokens page). */
export async function dpopThumbprint(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk, 'sha256');
}
