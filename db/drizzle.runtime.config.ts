import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/runtime.ts',
  out: './db/migrations/runtime',
});
