import * as schema from './schema/owner';
import type { Database } from './client';
import { databaseSingleton } from './singleton';

export { schema };
export type OwnerDb = Database<typeof schema>;

/** The vendor's database (public target only): customers, subscriptions, licenses, webhook events. */
export const ownerDatabase = databaseSingleton('owner', schema);

export async function getOwnerDb(): Promise<OwnerDb> {
  return (await ownerDatabase.open()).db;
}
