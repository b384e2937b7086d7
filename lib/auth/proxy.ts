/**
 * Trusted reverse-proxy sign-in: the identity headers are believed only when the request comes
 * from a configured proxy address (the real socket peer, see lib/http/client-address.ts) AND
 * carries the shared secret. Anything else is refused, and the refusal says which check failed.
 */
import crypto from 'node:crypto';
import { addressIn } from '@/lib/http/address-list';
import { peerAddress } from '@/lib/http/client-address';
import type { ProxySettings } from './settings';
import { isEmail, normalizeEmail } from './users';

export type ProxyIdentity = { ok: true; email: string; name: string } | { ok: false; reason: string };

function sameSecret(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function proxyIdentity(headers: Headers, settings: ProxySettings, sharedSecret: string | null): ProxyIdentity {
  const peer = peerAddress(headers);
  if (!peer || !addressIn(settings.addresses, peer)) return { ok: false, reason: `proxy headers from ${peer ?? 'an unknown address'}, which is not a configured proxy` };
  if (!sharedSecret) return { ok: false, reason: 'the proxy shared secret (RP_AUTH_PROXY_SECRET, 16 characters or more) is not configured' };
  const secret = headers.get(settings.secretHeader);
  if (!secret || !sameSecret(secret, sharedSecret)) return { ok: false, reason: 'proxy headers without the shared secret' };
  const email = headers.get(settings.emailHeader)?.trim();
  if (!email || !isEmail(email)) return { ok: false, reason: `the proxy sent no valid email in ${settings.emailHeader}` };
  return { ok: true, email: normalizeEmail(email), name: headers.get(settings.nameHeader)?.trim().slice(0, 200) ?? '' };
}
