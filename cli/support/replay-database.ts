/** `rp replay --database`: the only gate-path command that opens the database (loaded lazily). */
import { eq } from 'drizzle-orm';
import { runtimeDatabase } from '@/db/runtime';
import { workspaces } from '@/db/schema/runtime';
import type { ReplayResult } from '@/lib/passport/replay';
import { replayPassport } from '@/lib/passport/store';

export async function replayFromDatabase(workspaceSlug: string, passportId: string): Promise<ReplayResult> {
  const opened = await runtimeDatabase.open();
  try {
    const [workspace] = await opened.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, workspaceSlug));
    if (!workspace) throw new Error(`there is no workspace "${workspaceSlug}"`);
    return await replayPassport(opened.db, workspace.id, passportId);
  } finally {
    await runtimeDatabase.close();
  }
}
