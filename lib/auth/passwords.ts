/**
 * Local-account passwords: argon2id (the @node-rs/argon2 default) with OWASP's minimum
 * parameters (19 MiB, 2 passes, 1 lane), about 30 ms here: slow for guessing, fine for sign-in.
 */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `use at most ${MAX_PASSWORD_LENGTH} characters`;
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
