/**
 * The part of the next-auth configuration that runs on the Edge (the middleware): it only
 * decodes and checks the session cookie. Providers that need the database live in the full
 * configuration used by the server (lib/auth/config.ts).
 */
import type { NextAuthConfig } from 'next-auth';

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export const edgeAuthConfig = {
  providers: [],
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS, updateAge: 5 * 60 },
  pages: { signIn: '/login', error: '/login' },
} satisfies NextAuthConfig;
