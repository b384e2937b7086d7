/**
 * Workspace signing keys. The public part is a row of `signing_keys`; the private part lives
 * only in the encrypted secret store (lib/secrets, `store:signing/<key id>`, AES-256-GCM), never
 * in plaintext at rest. A workspace gets its key on its first passport; retired keys stay
 * published so old passports keep verifying.
 */
import 'server-only';
import crypto from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { signingKeys, workspaces } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { resolveSecret, writeSecret } from '@/lib/secrets';
import { generateSigningKey, keyIdOf, privateKeyFromPem } from './keys';

export interface SigningKey {
  keyId: string;
  privateKey: crypto.KeyObject;
}

export interface PublishedKey {
  keyId: string;
  algorithm: 'ed25519';
  publicKeyPem: string;
  status: 'active' | 'retired';
  createdAt: Date;
  retiredAt: Date | null;
}

const SIGNER = { type: 'system' as const, label: 'passport signer' };
// Which key is active is re-read at most every ACTIVE_MS per workspace (a rotation elsewhere is
// picked up within that); a key's private part, once loaded, is kept for the process's life (it
// never changes for a key id). So a process reads each private key once (one audited secret
// read), and concurrent first requests share that one read.
const ACTIVE_MS = 30_000;
const active = new Map<string, { at: number; row: Promise<{ id: string; privateKeyRef: string }> }>();
const loaded = new Map<string, Promise<crypto.KeyObject>>();

export function secretReferenceOf(keyId: string): string {
  // Prefixed: a thumbprint may begin with "-" or "_", which a store path segment may not.
  return `store:signing/key-${keyId}`;
}

/** The workspace's active signing key, created (and stored encrypted) on first use. */
export async function activeSigningKey(db: RuntimeDb, workspace: { id: string; slug?: string }, context: { requestId?: string } = {}): Promise<SigningKey> {
  let entry = active.get(workspace.id);
  if (!entry || Date.now() - entry.at > ACTIVE_MS) {
    entry = { at: Date.now(), row: activeRow(db, workspace.id).then((row) => row ?? createKey(db, workspace, context)) };
    active.set(workspace.id, entry);
    entry.row.catch(() => active.delete(workspace.id));
  }
  const row = await entry.row;
  let privateKey = loaded.get(row.id);
  if (!privateKey) {
    privateKey = loadPrivateKey(row, workspace, context);
    loaded.set(row.id, privateKey);
    privateKey.catch(() => loaded.delete(row.id));
  }
  return { keyId: row.id, privateKey: await privateKey };
}

async function loadPrivateKey(row: { id: string; privateKeyRef: string }, workspace: { id: string; slug?: string }, context: { requestId?: string }): Promise<crypto.KeyObject> {
  const secret = await resolveSecret(row.privateKeyRef, {
    workspace,
    flow: { purpose: 'signing', environment: null },
    actor: SIGNER,
    requestId: context.requestId,
  });
  const privateKey = privateKeyFromPem(secret.reveal());
  // The stored private key must belong to the published public key, or passports would not verify.
  if (keyIdOf(crypto.createPublicKey(privateKey)) !== row.id) {
    throw new Error(`the private key stored at ${row.privateKeyRef} does not belong to signing key ${row.id}`);
  }
  return privateKey;
}

async function activeRow(db: RuntimeDb, workspaceId: string) {
  const [row] = await db
    .select({ id: signingKeys.id, privateKeyRef: signingKeys.privateKeyRef })
    .from(signingKeys)
    .where(and(eq(signingKeys.workspaceId, workspaceId), eq(signingKeys.status, 'active')))
    .orderBy(desc(signingKeys.createdAt))
    .limit(1);
  return row ?? null;
}

async function createKey(db: RuntimeDb, workspace: { id: string; slug?: string }, context: { requestId?: string }) {
  return db.transaction(async (tx) => {
    // One creator per workspace at a time (replicas included); the loser finds the winner's key.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'rp.signing-key:' + workspace.id}, 0))`);
    const existing = await activeRow(tx, workspace.id);
    if (existing) return existing;
    return insertKey(tx, workspace, context);
  });
}

async function insertKey(tx: RuntimeDb, workspace: { id: string; slug?: string }, context: { requestId?: string }) {
  const generated = generateSigningKey();
  const privateKeyRef = secretReferenceOf(generated.keyId);
  await writeSecret(privateKeyRef, generated.privateKeyPem, { workspace, actor: SIGNER, requestId: context.requestId, tx });
  const [row] = await tx
    .insert(signingKeys)
    .values({ id: generated.keyId, workspaceId: workspace.id, publicKeyPem: generated.publicKeyPem, privateKeyRef })
    .returning({ id: signingKeys.id, privateKeyRef: signingKeys.privateKeyRef });
  return row!;
}

/**
 * Retires the active key and makes a new one; returns the new key id. With `audit`, the rotation
 * is an audit event of the workspace, written in the same transaction.
 */
export async function rotateSigningKey(
  db: RuntimeDb,
  workspace: { id: string; slug?: string },
  context: { requestId?: string; audit?: AuditContext } = {},
): Promise<{ retired: string | null; active: string }> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'rp.signing-key:' + workspace.id}, 0))`);
    const current = await activeRow(tx, workspace.id);
    if (current) {
      await tx
        .update(signingKeys)
        .set({ status: 'retired', retiredAt: new Date() })
        .where(and(eq(signingKeys.workspaceId, workspace.id), eq(signingKeys.id, current.id)));
    }
    const created = await insertKey(tx, workspace, context);
    if (context.audit) {
      await appendAuditEvent(tx, {
        ...context.audit,
        workspaceId: workspace.id,
        action: 'signing_key.rotate',
        resource: { type: 'signing_key', id: created.id },
        outcome: 'allow',
        details: { retired: current?.id ?? null, active: created.id },
      });
    }
    return { retired: current?.id ?? null, active: created.id };
  });
  active.delete(workspace.id);
  return result;
}

/** Every key of the workspace with this slug, oldest first; null when there is no such workspace. */
export async function publishedKeys(db: RuntimeDb, workspaceSlug: string): Promise<PublishedKey[] | null> {
  const [workspace] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, workspaceSlug));
  if (!workspace) return null;
  const rows = await db
    .select({
      keyId: signingKeys.id,
      algorithm: signingKeys.algorithm,
      publicKeyPem: signingKeys.publicKeyPem,
      status: signingKeys.status,
      createdAt: signingKeys.createdAt,
      retiredAt: signingKeys.retiredAt,
    })
    .from(signingKeys)
    .where(eq(signingKeys.workspaceId, workspace.id))
    .orderBy(asc(signingKeys.createdAt));
  return rows.map((row) => ({ ...row, algorithm: 'ed25519' as const }));
}

/**
 * The key `keyId` of the workspace while it is active, to sign something more about what it signed
 * (the VSA of a passport); null once it has retired, since a retired key signs nothing new.
 */
export async function activeSigningKeyById(db: RuntimeDb, workspace: { id: string; slug?: string }, keyId: string, context: { requestId?: string } = {}): Promise<SigningKey | null> {
  const [row] = await db
    .select({ id: signingKeys.id, privateKeyRef: signingKeys.privateKeyRef })
    .from(signingKeys)
    .where(and(eq(signingKeys.workspaceId, workspace.id), eq(signingKeys.id, keyId), eq(signingKeys.status, 'active')));
  if (!row) return null;
  let privateKey = loaded.get(row.id);
  if (!privateKey) {
    privateKey = loadPrivateKey(row, workspace, context);
    loaded.set(row.id, privateKey);
    privateKey.catch(() => loaded.delete(row.id));
  }
  return { keyId: row.id, privateKey: await privateKey };
}

/** Forgets cached private keys (tests, key rotation in this process). */
export function clearSigningKeyCache(): void {
  active.clear();
  loaded.clear();
}
