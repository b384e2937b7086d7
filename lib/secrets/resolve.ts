/**
 * Reading secrets: the policy first (before any source is touched), then the source, then the
 * audit event. The value comes back wrapped (SecretValue) and errors name only the reference.
 */
import { logger } from '@/lib/http/logger';
import fs from 'node:fs';
import type { RuntimeDb } from '@/db/runtime';
import { recordSecretAudit, type SecretActor, type SecretAuditEvent } from './audit';
import { open, scopeOf, type SecretScope } from './cipher';
import { secretsConfig } from './config';
import { SecretError } from './errors';
import { evaluateSecretPolicy, type PolicyDecision, type SecretFlow } from './policy';
import { parseSecretReference, type SecretReference } from './reference';
import { installationSecretDefinition, installationSecretReference } from './registry';
import { storeBackend, storeKey } from './store';
import { SecretValue } from './value';
import { readVaultField } from './vault';

export const MAX_FILE_SECRET_BYTES = 1024 * 1024;

export interface WorkspaceRef {
  id: string;
  /** Lets policy rules name the workspace by slug. */
  slug?: string;
}

export interface SecretReadContext {
  /** The workspace the read happens in; absent or null for installation-level secrets. */
  workspace?: WorkspaceRef | null;
  flow: SecretFlow;
  actor: SecretActor;
  requestId?: string;
  /**
   * The caller's transaction, if the read happens inside one. The audit event of a read is
   * written outside it (a value that was read stays read even if the caller rolls back).
   */
  tx?: RuntimeDb | null;
}

/** What the policy says about a reference for a flow, without reading anything (no audit). */
export function checkSecretAccess(reference: string, context: Pick<SecretReadContext, 'workspace' | 'flow'>): PolicyDecision {
  const parsed = parseSecretReference(reference);
  return evaluateSecretPolicy(secretsConfig().policy, { reference: parsed, flow: context.flow, workspace: context.workspace ?? null });
}

/** Resolves a reference to its value, at the place of use. */
export async function resolveSecret(reference: string, context: SecretReadContext): Promise<SecretValue> {
  const parsed = parseSecretReference(reference);
  const workspace = context.workspace ?? null;
  const decision = evaluateSecretPolicy(secretsConfig().policy, { reference: parsed, flow: context.flow, workspace });
  const audit = (outcome: 'allow' | 'deny', reason: string, details: Record<string, unknown> = {}) =>
    auditRead(context, {
      action: 'secret.read',
      outcome,
      reference: parsed.text,
      workspaceId: workspace?.id ?? null,
      actor: context.actor,
      reason,
      requestId: context.requestId,
      details: { flow: context.flow, rule: decision.ruleId, ...details },
    });
  if (!decision.allowed) {
    await audit('deny', decision.reason);
    const environment = context.flow.environment ? `for environment "${context.flow.environment}"` : 'bound to no environment';
    throw new SecretError(
      'denied',
      `The secrets policy does not let a ${context.flow.purpose} flow ${environment} read ${parsed.text}: ${decision.reason}.`,
      parsed.text,
    );
  }
  const value = await readSource(parsed, workspace);
  await audit('allow', decision.reason, { source: value.source, ...(value.version ? { version: value.version } : {}) });
  return value;
}

/**
 * An installation-level secret by its registry name (`oidc.clientSecret`), read by the
 * installation's own services. Returns null when it is not configured (an optional feature off).
 */
export async function resolveInstallationSecret(
  name: string,
  context: { actor?: SecretActor; requestId?: string } = {},
): Promise<SecretValue | null> {
  const definition = installationSecretDefinition(name);
  const reference = installationSecretReference(definition, secretsConfig().env);
  try {
    return await resolveSecret(reference, {
      workspace: null,
      flow: { purpose: definition.purpose, environment: null },
      actor: context.actor ?? { type: 'system', label: 'Release Passport' },
      requestId: context.requestId,
    });
  } catch (error) {
    if (error instanceof SecretError && error.code === 'not-set') return null;
    throw error;
  }
}

async function readSource(reference: SecretReference, workspace: WorkspaceRef | null): Promise<SecretValue> {
  switch (reference.scheme) {
    case 'env': {
      const value = secretsConfig().env[reference.name];
      if (value === undefined || value === '') throw notSet(reference, `the environment variable ${reference.name} is not set`);
      return new SecretValue(reference.text, 'environment', Buffer.from(value, 'utf8'));
    }
    case 'file':
      return new SecretValue(reference.text, 'file', readSecretFile(reference));
    case 'store': {
      const scope: SecretScope = scopeOf(workspace);
      const backend = await storeBackend();
      const entry = await backend.get(scope, reference.path);
      if (!entry) throw notSet(reference, `nothing is stored at ${reference.text}${workspace ? ' in this workspace' : ''}`);
      const key = await storeKey(backend, { forWrite: false });
      const plaintext = open(key, scope, reference.path, entry.ciphertext, reference.text);
      return new SecretValue(reference.text, backend.kind === 'file' ? 'encrypted file' : 'encrypted store', plaintext, entry.version);
    }
    case 'vault':
      return new SecretValue(reference.text, 'vault', await readVaultField(reference));
  }
}

function readSecretFile(reference: Extract<SecretReference, { scheme: 'file' }>): Buffer {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(reference.path);
    if (!stat.isFile()) throw new SecretError('unreadable', `${reference.text} is not a regular file.`, reference.text);
    if (stat.size > MAX_FILE_SECRET_BYTES) throw new SecretError('unreadable', `${reference.text} is larger than 1 MiB.`, reference.text);
    bytes = fs.readFileSync(reference.path);
  } catch (error) {
    if (error instanceof SecretError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notSet(reference, `the file ${reference.path} does not exist`);
    throw new SecretError('unreadable', `${reference.text} cannot be read (${code ?? 'error'}).`, reference.text);
  }
  // Mounted secrets usually end with one newline that is not part of the value.
  const trimmed = bytes.subarray(0, bytes.length - (bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? 2 : 1) : 0));
  if (trimmed.length === 0) throw notSet(reference, `the file ${reference.path} is empty`);
  return trimmed;
}

function notSet(reference: SecretReference, why: string): SecretError {
  return new SecretError('not-set', `${reference.text} is not set: ${why}.`, reference.text);
}

async function auditRead(context: SecretReadContext, event: SecretAuditEvent): Promise<void> {
  if (!context.tx) return recordSecretAudit(event);
  // Inside a caller's transaction the event must not share its fate, and the embedded database
  // admits one transaction at a time: write it once the caller's work has moved on.
  setImmediate(() => {
    recordSecretAudit(event).catch((error: unknown) => {
      logger.error({ err: error, action: event.action, reference: event.reference }, 'audit: recording a secret read failed');
    });
  });
}
