import * as schema from './schema/runtime';
import type { Database } from './client';
import { databaseSingleton } from './singleton';

export { schema };
export type RuntimeDb = Database<typeof schema>;

/** The customer runtime's database. */
export const runtimeDatabase = databaseSingleton('runtime', schema);

export async function getRuntimeDb(): Promise<RuntimeDb> {
  return (await runtimeDatabase.open()).db;
}
