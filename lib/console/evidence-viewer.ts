/**
 * One piece of evidence as a reviewer opens it from a passport: its record (digests as received and
 * as stored, what the sanitizer removed, the summary the gate judged) and the stored content, which
 * is the sanitized copy: the viewer never shows what was removed at upload. Large files are shown
 * up to a limit and say so.
 */
import { and, desc, eq, or } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { evidence } from '@/db/schema/runtime';
import { SHA256_HEX_PATTERN } from '@/lib/domain/primitives';
import { getBlobStore } from '@/lib/storage';

export const VIEWER_MAX_BYTES = 256 * 1024;

export type EvidenceRow = typeof evidence.$inferSelect;

export interface EvidenceForViewing {
  record: EvidenceRow;
  /** The stored (sanitized) content as text, pretty-printed when it is JSON; null when the blob is missing. */
  text: string | null;
  truncated: boolean;
}

async function readPrefix(key: string, limit: number): Promise<{ bytes: Buffer; truncated: boolean } | null> {
  const stream = await getBlobStore().get(key);
  if (!stream) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      break;
    }
  }
  const bytes = Buffer.concat(chunks);
  return { bytes: bytes.subarray(0, limit), truncated: bytes.length > limit };
}

/** The evidence with this digest (stored or as received) in the workspace, or null. */
export async function evidenceForViewing(db: RuntimeDb, workspaceId: string, sha256: string, limit = VIEWER_MAX_BYTES): Promise<EvidenceForViewing | null> {
  if (!SHA256_HEX_PATTERN.test(sha256)) return null;
  const [record] = await db
    .select()
    .from(evidence)
    .where(and(eq(evidence.workspaceId, workspaceId), or(eq(evidence.sha256, sha256), eq(evidence.storedSha256, sha256))))
    .orderBy(desc(evidence.createdAt))
    .limit(1);
  if (!record) return null;
  const content = await readPrefix(record.storageKey, limit);
  if (!content) return { record, text: null, truncated: false };
  let text = content.bytes.toString('utf8');
  if (!content.truncated && (record.mediaType.includes('json') || /^\s*[[{]/.test(text))) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON after all (JSON Lines, a tag-value file): shown as it is
    }
  }
  return { record, text, truncated: content.truncated };
}
