/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the signature is
 * `v1,` + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")), where the key is
 * the base64 part of the endpoint's `whsec_<base64>` secret. node:crypto rather than the
 * `standardwebhooks` package: the signing is these few lines, and the package computes SHA-256
 * in JavaScript (fast-sha256) beside two more dependencies. The tests verify what this signs with
 * that package, as a receiver would.
 */
import 'server-only';
import crypto from 'node:crypto';

const PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, as Standard Webhooks writes them. */
export function newSigningSecret(): string {
  return PREFIX + crypto.randomBytes(32).toString('base64');
}

/** The key bytes of a `whsec_...` secret; null when it is not one (a reference to the wrong value). */
export function signingKey(secret: string): Buffer | null {
  const encoded = secret.trim().startsWith(PREFIX) ? secret.trim().slice(PREFIX.length) : null;
  if (!encoded || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/** The three Standard Webhooks headers for one attempt. */
export function signedHeaders(key: Buffer, id: string, timestamp: Date, body: string): Record<string, string> {
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const signature = crypto.createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': `v1,${signature}` };
}
