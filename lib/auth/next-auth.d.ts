import 'next-auth';
import '@auth/core/jwt';

declare module 'next-auth' {
  /** What pages see; the server re-checks the session record against the database. */
  interface Session {
    /** The server-side session record (revocable: "sign out everywhere"). */
    sessionId?: string;
  }
}

declare module '@auth/core/jwt' {
  /** Claims carried in the encrypted session cookie. */
  interface JWT {
    /** The server-side session record id. */
    sid?: string;
    /** Slugs of the workspaces the user belonged to when the claims were made (middleware hint only). */
    workspaces?: string[];
    /** More workspaces than fit in the cookie: the middleware leaves membership to the server. */
    workspacesTruncated?: boolean;
    /** When the workspace claims were made (epoch seconds): stale claims are refreshed, not trusted. */
    claimsAt?: number;
  }
}
