/**
 * Local-account passwords: argon2id (the @node-rs/argon2 default) with OWASP's minimum
 * parameters (19 MiB, 2 passes, 1 lane), about 30 ms here: slow for guessing, fine for sign-in.
 */
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** What the password forms say, matching passwordProblem's rules. */
export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters, not a common password and not built on your name or email: a few unrelated words work well.`;

// NIST SP 800-63B 3.1.1.2: refuse passwords from lists of commonly used or compromised ones, and
// context-specific words. The list is zxcvbn-ts's (about 49,000 passwords from public breach corpora).
let common: ReadonlySet<string> | null = null;
function commonPasswords(): ReadonlySet<string> {
  return (common ??= new Set(dictionary['passwords-common'].map((word) => word.toLowerCase())));
}

/** The password with the digits and symbols people pad a common word with taken off both ends. */
function core(password: string): string {
  return password.toLowerCase().replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
}

/** One short unit over and over: "aaaaaaaaaaaa", "abcabcabcabc", "121212121212". */
function repetitive(password: string): boolean {
  return /^(.{1,3})\1+$/su.test(password);
}

/**
 * Why a password is refused, or null. Lengths are counted in code points (what a person counts:
 * an emoji is one character, not two UTF-16 units). `context` holds words the password must not
 * be built on: the person's email and name.
 */
export function passwordProblem(password: string, context: string[] = []): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `use at most ${MAX_PASSWORD_LENGTH} characters`;
  const lowered = password.toLowerCase();
  const stripped = core(password);
  if (commonPasswords().has(lowered) || (stripped.length >= 4 && commonPasswords().has(stripped))) {
    return 'it is one of the most common passwords (or one with digits and symbols added); choose a passphrase of unrelated words';
  }
  if (repetitive(password)) return 'it repeats the same few characters; choose a passphrase of unrelated words';
  const words = [...context.flatMap((value) => value.toLowerCase().split(/[@.\s_+-]+/)), 'releasepassport', 'release passport']
    .filter((word) => word.length >= 4);
  if (words.some((word) => stripped === word || lowered.replace(/[^\p{L}]/gu, '') === word.replace(/[^\p{L}]/gu, ''))) {
    return 'it is built on your name, your email or this product’s name; choose something unrelated';
  }
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A dummy hash to verify against when the account does not exist, so timing does not reveal it. */
let dummy: Promise<string> | null = null;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    await verify(await (dummy ??= hashPassword('not-a-real-password-for-timing')), password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
