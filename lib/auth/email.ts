/** Email addresses as identity: the one spelling both the runtime and the portal store and compare. */
/**
 * One spelling per address: Unicode NFKC (the Kelvin sign is a K, fullwidth letters are ASCII),
 * lower case, no trailing dot on the domain, so look-alike spellings cannot name a second account.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase().replace(/\.+$/, '');
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value.trim()) && value.length <= 320;
}

/**
 * An address written with compatibility characters (the Kelvin sign for K, fullwidth letters) is a
 * look-alike of a plain address and is refused rather than folded into someone else's account.
 */
export function lookAlikeProblem(email: string): string | null {
  return email === email.normalize('NFKC') ? null : `${email} is written with look-alike characters; use the plain spelling ${normalizeEmail(email)}`;
}
