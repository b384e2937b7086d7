import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['{lib,db,cli,app,e2e,deploy}/**/*.test.ts'],
    globalSetup: ['db/testing/global-setup.ts'],
    setupFiles: ['db/testing/per-file.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers and databases; their output is part of the record.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
