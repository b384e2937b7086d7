/**
 * Expiring download links for entitled packages (owner code, public target only): an HMAC-SHA256
 * over the artifact, the customer and the expiry, keyed by RP_DOWNLOAD_LINK_SECRET. A link proves
 * only that the portal handed it out recently; the download route still checks the customer's
 * entitlement in the database at download time, so a link dies with the subscription.
 */
import 'server-only';
import crypto from 'node:crypto';
import { readOwnerSecret } from '@/lib/billing/secret-settings';
import { ProblemError } from '@/lib/http/problem';

/** Found by e2e/build/owner-separation.test.ts: never in the runtime build. */
const LINK_CONTEXT = 'release-passport-download-link/v1';
export const DOWNLOAD_LINK_TTL_SECONDS = 15 * 60;

async function linkSecret(): Promise<string> {
  const secret = await readOwnerSecret('downloads.linkSecret');
  if (!secret || secret.length < 32) {
    throw new ProblemError('not-ready', 'Package downloads are not configured (RP_DOWNLOAD_LINK_SECRET must be at least 32 characters).');
  }
  return secret;
}

function mac(artifact: string, customerId: string, expires: number, secret: string): string {
  return crypto.createHmac('sha256', secret).update(`${LINK_CONTEXT}\n${artifact}\n${customerId}\n${expires}`).digest('base64url');
}

export async function signedDownloadPath(artifact: string, customerId: string, now: Date = new Date()): Promise<{ path: string; expiresAt: Date }> {
  const expires = Math.floor(now.getTime() / 1000) + DOWNLOAD_LINK_TTL_SECONDS;
  const query = new URLSearchParams({ customer: customerId, expires: String(expires), signature: mac(artifact, customerId, expires, await linkSecret()) });
  return { path: `/download/files/${encodeURIComponent(artifact)}?${query}`, expiresAt: new Date(expires * 1000) };
}

export type LinkCheck = { ok: true; customerId: string } | { ok: false; reason: string };

export async function checkDownloadLink(artifact: string, params: URLSearchParams, now: Date = new Date()): Promise<LinkCheck> {
  const customerId = params.get('customer') ?? '';
  const expires = Number(params.get('expires'));
  const signature = params.get('signature') ?? '';
  if (!customerId || !Number.isInteger(expires) || !signature) {
    return { ok: false, reason: 'This package needs a subscription: sign in to the portal and download it from there.' };
  }
  const expected = Buffer.from(mac(artifact, customerId, expires, await linkSecret()));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'This download link is not valid. Get a new one from the portal.' };
  }
  if (expires * 1000 <= now.getTime()) return { ok: false, reason: 'This download link has expired. Get a new one from the portal.' };
  return { ok: true, customerId };
}
