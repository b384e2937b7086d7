import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/owner.ts',
  out: './db/migrations/owner',
});
