import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // Resolved as on the server (React's "react-server" condition): see scripts/server-only-hooks.mjs.
      'server-only': path.resolve(import.meta.dirname, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    include: ['{lib,db,cli,app,e2e,deploy}/**/*.test.ts'],
    globalSetup: ['db/testing/global-setup.ts'],
    setupFiles: ['db/testing/per-file.ts'],
    pool: 'forks',
    // Connector tests talk to stand-ins on this machine, which connectors refuse unless the operator
    // allows them (lib/connectors/address-guard.ts); the guard's own tests take this away.
    env: { RP_CONNECTOR_ALLOWED_ADDRESSES: '127.0.0.1/32' },
    // next-auth imports 'next/server' without an extension, which Node's ESM loader cannot resolve
    // outside Next: transformed by vitest instead, so the sign-in tests drive its real route handlers.
    server: { deps: { inline: ['next-auth'] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers and databases; their output is part of the record.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
