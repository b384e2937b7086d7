/**
 * Signed audit checkpoints: when retention cuts the oldest events of a workspace's audit chain,
 * it records the last event removed (its seq and hash) and how many were removed, signed with the
 * workspace's Ed25519 signing key. The remaining chain links to that hash, so `audit verify`
 * still proves it unbroken from the checkpoint on, and the signature proves the checkpoint itself
 * came from this runtime, not from someone covering a deletion.
 */
import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { canonicalBytes } from '@/lib/json/canonical';
import type { RuntimeDb } from '@/db/runtime';
import { type auditCheckpoints, signingKeys } from '@/db/schema/runtime';
import type { DbOrTx } from '@/lib/audit/log';

export const CHECKPOINT_TYPE = 'release-passport/audit-checkpoint@1';

export interface CheckpointFields {
  chain: string;
  workspaceId: string | null;
  uptoSeq: number;
  uptoHash: string;
  purgedCount: number;
  createdAt: Date;
}

/** The bytes that are signed: canonical JSON of every field of the row but the signature. */
export function checkpointPayload(fields: CheckpointFields, keyId: string): Buffer {
  return canonicalBytes({
    type: CHECKPOINT_TYPE,
    chain: fields.chain,
    workspaceId: fields.workspaceId,
    uptoSeq: fields.uptoSeq,
    uptoHash: fields.uptoHash,
    purgedCount: fields.purgedCount,
    createdAt: fields.createdAt.toISOString(),
    keyId,
  });
}

export function signCheckpoint(fields: CheckpointFields, key: { keyId: string; privateKey: crypto.KeyObject }): { signature: string; keyId: string } {
  return { signature: crypto.sign(null, checkpointPayload(fields, key.keyId), key.privateKey).toString('base64'), keyId: key.keyId };
}

/**
 * Whether a stored checkpoint's signature is valid under the workspace's published key it names
 * (lib/audit/verify.ts takes this as its `verifyCheckpoint`).
 */
export async function verifyCheckpointSignature(db: RuntimeDb | DbOrTx, checkpoint: typeof auditCheckpoints.$inferSelect): Promise<boolean> {
  if (!checkpoint.workspaceId) return false;
  const [key] = await db
    .select({ publicKeyPem: signingKeys.publicKeyPem })
    .from(signingKeys)
    .where(and(eq(signingKeys.workspaceId, checkpoint.workspaceId), eq(signingKeys.id, checkpoint.keyId)));
  if (!key) return false;
  try {
    return crypto.verify(null, checkpointPayload(checkpoint, checkpoint.keyId), crypto.createPublicKey(key.publicKeyPem), Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}
