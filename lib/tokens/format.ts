/**
 * The API token format: `rp_` + 40 random base62 characters (238 bits) + a 6-character base62
 * CRC32 of them. The prefix lets secret scanners and people recognise a Release Passport token;
 * the checksum lets the server refuse a mistyped or truncated token without a database lookup.
 * The token is shown once; only its sha256 is stored.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const TOKEN_PREFIX = 'rp_';
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOKEN_PATTERN = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);
/** How many characters of a token are safe to show in lists ("rp_3fA9c2Qx…"). */
const DISPLAY_LENGTH = TOKEN_PREFIX.length + 8;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function checksum(body: string): string {
  let value = zlib.crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export function generateToken(): string {
  const body = randomBase62(BODY_LENGTH);
  return TOKEN_PREFIX + body + checksum(body);
}

/** True when the string has the token shape and its checksum matches. */
export function isWellFormedToken(value: string): boolean {
  if (!TOKEN_PATTERN.test(value)) return false;
  const body = value.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + BODY_LENGTH);
  return value.slice(TOKEN_PREFIX.length + BODY_LENGTH) === checksum(body);
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_LENGTH);
}

/** A random one-time secret for links (sign-in, invitations): url-safe, 256 bits. */
export function generateLinkSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}
