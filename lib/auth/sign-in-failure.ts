/**
 * What a failed sign-in means, in the product's own terms, so that pages and actions never look
 * at next-auth's error classes (next-auth stays inside lib/auth).
 */
import { AuthError, CredentialsSignin } from 'next-auth';

export type SignInFailure = 'rate-limited' | 'wrong-credentials' | 'refused';

/** The kind of a sign-in failure, or null when `error` is not one (a bug, a redirect: rethrow it). */
export function signInFailureOf(error: unknown): SignInFailure | null {
  if (error instanceof CredentialsSignin) return error.code === 'rate_limited' ? 'rate-limited' : 'wrong-credentials';
  if (error instanceof AuthError) return 'refused';
  return null;
}
