/**
 * The exports' sanitizer (docs/security-model.md "Sanitized reports"): every value that leaves the runtime in a
 * report passes through here, whatever it is and wherever it came from. It reuses the evidence
 * sanitizer's detectors (lib/evidence/sanitize: the secret formats in free text, and the field
 * names whose values are credentials), so there is one list of what a secret looks like.
 *
 * - a string is redacted where it holds a recognised secret (tokens, keys, kubeconfig
 *   credentials, PEM or base64 private keys, passwords in URLs and assignments...);
 * - an object's value under a credential field name (`token`, `password`, `client-key-data`,
 *   `STRIPE_SECRET_KEY`...) is replaced whole, whatever it looks like;
 * - object keys are checked too (a secret pasted as a key is still a secret).
 */
import { isSensitiveField } from '@/lib/evidence/sanitize/fields';
import { redactionMarker, redactText } from '@/lib/evidence/sanitize/patterns';

export const CREDENTIAL_MARKER = redactionMarker('credential-field');

export function sanitizeText(text: string): string {
  return redactText(text).text;
}

/** A sanitized deep copy of a JSON-like value (Dates become ISO strings). */
export function sanitizeValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  // Deeper than any record we export: cut rather than recurse without end.
  if (depth > 32) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const safeKey = sanitizeText(key);
    out[safeKey] = isSensitiveField(key) && item !== null && item !== '' && typeof item !== 'boolean' ? CREDENTIAL_MARKER : sanitizeValue(item, depth + 1);
  }
  return out;
}
