/**
 * This runtime's installation id (made by migration 0012, one row): what a bound license names.
 * It never changes, so a process reads it once.
 */
import { installationIdentity } from '@/db/schema/runtime';
import type { DbOrTx } from '@/lib/audit/log';

let known: string | null = null;

export async function installationId(db: DbOrTx): Promise<string> {
  if (known) return known;
  // Inserted by the migration; written again here only if someone deleted the row.
  await db.insert(installationIdentity).values({ singleton: true }).onConflictDoNothing();
  const [row] = await db.select({ id: installationIdentity.installationId }).from(installationIdentity);
  known = row!.id;
  return known;
}
