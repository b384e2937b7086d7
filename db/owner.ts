import path from 'node:path';
import * as schema from './schema/owner';
import type { Database } from './client';
import { databaseSingleton } from './singleton';

export { schema };
export type OwnerDb = Database<typeof schema>;

/** The vendor's database (public target only): customers, subscriptions, licenses, webhook events. */
export const ownerDatabase = databaseSingleton(
  'owner',
  schema,
  // The CLI runs from anywhere and sets RP_APP_ROOT; the server runs in its own folder. Written out
  // here, not taken from settings(): the build's file tracer follows this literal path and copies
  // the migrations into the standalone output.
  // eslint-disable-next-line no-restricted-syntax -- see above
  path.join(process.env.RP_APP_ROOT ?? process.cwd(), 'db/migrations/owner'),
);

export async function getOwnerDb(): Promise<OwnerDb> {
  return (await ownerDatabase.open()).db;
}
