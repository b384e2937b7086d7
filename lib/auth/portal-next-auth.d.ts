import '@auth/core/jwt';
import 'next-auth';

declare module '@auth/core/jwt' {
  interface JWT {
    /** Public target: the portal customer this buyer signed in as. */
    customerId?: string;
  }
}

declare module 'next-auth' {
  interface Session {
    /** Public target: the portal customer (re-read from the database by every portal page). */
    customerId?: string;
  }
}
