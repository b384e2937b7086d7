/**
 * HashiCorp Vault as a source of secrets (docs/security-model.md: "stored in an encrypted file or HashiCorp
 * Vault"): `vault:<mount>/<path>#<field>` reads one field of a KV version 2 secret over Vault's
 * HTTP API. Configured by the operator:
 *
 *   RP_VAULT_ADDR                      https://vault.internal:8200
 *   RP_VAULT_TOKEN or RP_VAULT_TOKEN_FILE  the token (a Vault Agent sink file is re-read on every use)
 *   RP_VAULT_NAMESPACE                 Vault Enterprise namespace, if any
 *
 * Values travel as JSON in Vault's answer and are never logged; errors name the reference and
 * Vault's status, never the token or the value. Redirects are not followed (a token must not be
 * sent anywhere else).
 */
import fs from 'node:fs';
import { settings } from '@/lib/config/settings';
import { proxyFailure, serverFetch } from '@/lib/http/egress-proxy';
import { secretsConfig } from './config';
import { SecretError } from './errors';
import type { SecretReference } from './reference';

type VaultReference = Extract<SecretReference, { scheme: 'vault' }>;

const TIMEOUT_MS = 5_000;

interface VaultSettings {
  addr: URL;
  token: string;
  namespace?: string;
}

function vaultSettings(reference: VaultReference): VaultSettings {
  const env = secretsConfig().env;
  const { vaultAddr, vaultNamespace } = settings(env).secrets;
  if (!vaultAddr) throw new SecretError('unsupported', `${reference.text} needs RP_VAULT_ADDR (the Vault server) to be set.`, reference.text);
  const addr = new URL(vaultAddr);
  let token = env.RP_VAULT_TOKEN ?? '';
  if (!token && env.RP_VAULT_TOKEN_FILE) {
    try {
      token = fs.readFileSync(env.RP_VAULT_TOKEN_FILE, 'utf8').trim();
    } catch (error) {
      throw new SecretError('unreadable', `The Vault token file ${env.RP_VAULT_TOKEN_FILE} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, reference.text);
    }
  }
  if (!token) throw new SecretError('unsupported', `${reference.text} needs a Vault token: RP_VAULT_TOKEN or RP_VAULT_TOKEN_FILE.`, reference.text);
  return { addr, token, namespace: vaultNamespace ?? undefined };
}

async function vaultGet(reference: VaultReference, kind: 'data' | 'metadata'): Promise<{ status: number; body: unknown }> {
  const vault = vaultSettings(reference);
  const path = reference.secret.split('/').map(encodeURIComponent).join('/');
  const url = new URL(`/v1/${encodeURIComponent(reference.mount)}/${kind}/${path}`, vault.addr);
  const headers: Record<string, string> = { 'x-vault-token': vault.token, accept: 'application/json' };
  if (vault.namespace) headers['x-vault-namespace'] = vault.namespace;
  let response: Response;
  try {
    response = await serverFetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : (proxyFailure(error) ?? `cannot connect (${(error as { cause?: { code?: string } }).cause?.code ?? 'error'})`);
    throw new SecretError('unreadable', `Vault at ${vault.addr.origin}: ${why}, reading ${reference.text}.`, reference.text);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // a proxy's HTML error page: the status says enough
  }
  return { status: response.status, body };
}

/** The field's value, as text (a non-string JSON value as its JSON). */
export async function readVaultField(reference: VaultReference): Promise<Buffer> {
  const { status, body } = await vaultGet(reference, 'data');
  if (status === 404) throw new SecretError('not-set', `${reference.text} is not set: Vault has no secret at ${reference.path}.`, reference.text);
  if (status === 403) throw new SecretError('unreadable', `Vault refused to read ${reference.text} (403): check the token's policy.`, reference.text);
  if (status !== 200) throw new SecretError('unreadable', `Vault answered ${status} reading ${reference.text}.`, reference.text);
  const data = (body as { data?: { data?: Record<string, unknown> | null } } | null)?.data?.data;
  if (!data) throw new SecretError('not-set', `${reference.text} is not set: the latest version of the Vault secret is deleted.`, reference.text);
  const value = data[reference.field];
  if (value === undefined || value === null || value === '') throw new SecretError('not-set', `${reference.text} is not set: the Vault secret has no field "${reference.field}".`, reference.text);
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/** Whether the secret exists (from its metadata: the value is not read). */
export async function vaultStatus(reference: VaultReference): Promise<{ set: boolean; detail: string; problem?: string; version?: number; updatedAt?: string }> {
  const detail = `Vault ${reference.mount}/${reference.secret}, field ${reference.field}`;
  try {
    const { status, body } = await vaultGet(reference, 'metadata');
    if (status === 404) return { set: false, detail, problem: 'Vault has no secret at this path' };
    if (status === 403) return { set: false, detail, problem: "the token may not read this secret's metadata, so its status cannot be checked" };
    if (status !== 200) return { set: false, detail, problem: `Vault answered ${status}` };
    const metadata = (body as { data?: { current_version?: number; updated_time?: string; versions?: Record<string, { deletion_time?: string; destroyed?: boolean }> } } | null)?.data;
    const version = metadata?.current_version;
    const current = version ? metadata?.versions?.[String(version)] : undefined;
    if (!version || !current || current.destroyed || current.deletion_time) return { set: false, detail, problem: 'the latest version is deleted' };
    return { set: true, detail: `${detail}, version ${version}`, version, updatedAt: metadata?.updated_time };
  } catch (error) {
    return { set: false, detail, problem: error instanceof SecretError ? error.message : 'Vault cannot be reached' };
  }
}
