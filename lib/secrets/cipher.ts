/**
 * AES-256-GCM envelopes: `rpsec1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts). The
 * associated data binds each envelope to its key id, its scope (the installation or one
 * workspace) and its path: an envelope copied to another path or workspace fails authentication
 * exactly like an altered one.
 */
import 'server-only';
import crypto from 'node:crypto';
import { SecretError } from './errors';
import type { StoreKey } from './keys';

const FORMAT = 'rpsec1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where an entry lives: installation-level, or one workspace's. */
export type SecretScope = { kind: 'installation' } | { kind: 'workspace'; workspaceId: string };

export const INSTALLATION: SecretScope = { kind: 'installation' };

export function scopeOf(workspace: { id: string } | null | undefined): SecretScope {
  return workspace ? { kind: 'workspace', workspaceId: workspace.id } : INSTALLATION;
}

export function scopeLabel(scope: SecretScope): string {
  return scope.kind === 'installation' ? 'installation' : `workspace:${scope.workspaceId}`;
}

function associatedData(keyId: string, scope: SecretScope, path: string): Buffer {
  return Buffer.from([FORMAT, keyId, scopeLabel(scope), path].join('\n'), 'utf8');
}

export function seal(key: StoreKey, scope: SecretScope, path: string, plaintext: Buffer): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(key.id, scope, path));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [FORMAT, key.id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The key id an envelope names (to tell a rotated store from a tampered one). */
export function envelopeKeyId(envelope: string): string | null {
  const parts = envelope.split('.');
  return parts.length === 5 && parts[0] === FORMAT ? (parts[1] ?? null) : null;
}

/** Decrypts, or throws `tampered` / `key-mismatch` naming `reference` (never the bytes). */
export function open(key: StoreKey, scope: SecretScope, path: string, envelope: string, reference: string): Buffer {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== FORMAT) {
    throw new SecretError('tampered', `The stored entry for ${reference} is not a valid envelope.`, reference);
  }
  const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
  if (keyId !== key.id) {
    throw new SecretError(
      'key-mismatch',
      `${reference} is encrypted under key ${keyId}, not the configured key ${key.id}.`,
      reference,
    );
  }
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(keyId, scope, path));
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== TAG_BYTES || Buffer.from(iv, 'base64url').length !== IV_BYTES) throw new Error('bad sizes');
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  } catch {
    throw new SecretError(
      'tampered',
      `The stored entry for ${reference} failed authentication: it was altered or moved from another path or workspace.`,
      reference,
    );
  }
}
