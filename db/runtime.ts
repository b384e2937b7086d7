import path from 'node:path';
import * as schema from './schema/runtime';
import type { Database } from './client';
import { databaseSingleton } from './singleton';

export { schema };
export type RuntimeDb = Database<typeof schema>;

/** The customer runtime's database. */
export const runtimeDatabase = databaseSingleton(
  'runtime',
  schema,
  // The CLI runs from anywhere and sets RP_APP_ROOT; the server runs in its own folder. Written out
  // here, not taken from settings(): the build's file tracer follows this literal path and copies
  // the migrations into the standalone output.
  // eslint-disable-next-line no-restricted-syntax -- see above
  path.join(process.env.RP_APP_ROOT ?? process.cwd(), 'db/migrations/runtime'),
);

export async function getRuntimeDb(): Promise<RuntimeDb> {
  return (await runtimeDatabase.open()).db;
}
