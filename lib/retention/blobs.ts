/**
 * Deleting the stored files of removed evidence, after the transaction that removed their rows
 * committed. A file is deleted only if no evidence row points at it again (the same bytes
 * uploaded since); a failure leaves it queued for the next run.
 */
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { evidence, pendingBlobDeletions } from '@/db/schema/runtime';
import type { BlobStore } from '@/lib/storage';

export interface BlobSweep {
  deleted: number;
  kept: number;
  failed: number;
}

export async function deletePendingBlobs(db: RuntimeDb, store: BlobStore, options: { limit?: number; workspaceId?: string } = {}): Promise<BlobSweep> {
  const sweep: BlobSweep = { deleted: 0, kept: 0, failed: 0 };
  const pending = await db
    .select()
    .from(pendingBlobDeletions)
    .where(options.workspaceId ? eq(pendingBlobDeletions.workspaceId, options.workspaceId) : lt(pendingBlobDeletions.attempts, 1000))
    .orderBy(asc(pendingBlobDeletions.queuedAt))
    .limit(options.limit ?? 500);
  for (const item of pending) {
    await db.transaction(async (tx) => {
      // Claim the entry; another worker deleting the same one skips it.
      const [claimed] = await tx
        .select({ storageKey: pendingBlobDeletions.storageKey })
        .from(pendingBlobDeletions)
        .where(eq(pendingBlobDeletions.storageKey, item.storageKey))
        .for('update', { skipLocked: true });
      if (!claimed) return;
      const [used] = await tx
        .select({ id: evidence.id })
        .from(evidence)
        .where(and(eq(evidence.workspaceId, item.workspaceId), eq(evidence.storageKey, item.storageKey)))
        .limit(1);
      if (used) {
        sweep.kept++;
      } else {
        try {
          await store.delete(item.storageKey);
          sweep.deleted++;
        } catch (error) {
          sweep.failed++;
          await tx
            .update(pendingBlobDeletions)
            .set({ attempts: sql`${pendingBlobDeletions.attempts} + 1`, lastError: String((error as Error).message).slice(0, 300) })
            .where(eq(pendingBlobDeletions.storageKey, item.storageKey));
          return;
        }
      }
      await tx.delete(pendingBlobDeletions).where(eq(pendingBlobDeletions.storageKey, item.storageKey));
    });
  }
  return sweep;
}
