/**
 * Every read, write, delete, denial and key rotation of a secret is one audit event, recorded
 * through `recordSecretAudit` and nowhere else.
 * Events name the reference, the flow, the actor and the rule that decided; never the value.
 *
 * The runtime appends to its hash-chained audit log (lib/audit: one chain per workspace,
 * "installation" for installation-level secrets). The public target has no runtime database:
 * its events are log lines of the one logger (msg "audit"), for the log shipper.
 */
import { getRuntimeDb, type RuntimeDb } from '@/db/runtime';
import type { AuditActor } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { secretsConfig } from './config';
import { logger } from '@/lib/http/logger';

/**
 * Who asked: a member (`user`), an API token, the operator at the CLI (`operator`), or the
 * service itself (`system`: the gate's signer, a connector poll, the worker). Always labelled.
 */
export type SecretActor = AuditActor & { label: string };

export type SecretAuditAction = 'secret.read' | 'secret.write' | 'secret.delete' | 'secret.key.rotate';

export interface SecretAuditEvent {
  action: SecretAuditAction;
  outcome: 'allow' | 'deny';
  reference: string | null;
  workspaceId: string | null;
  actor: SecretActor;
  reason?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/**
 * Records one event. `tx`: the caller's transaction, so the event commits or rolls back with
 * the change it describes (a write, a rotation).
 */
/** Audit lines are records, not diagnostics: RP_LOG_LEVEL (warn, silent) never drops them. */
const auditLog = logger.child({}, { level: 'info' });

export async function recordSecretAudit(event: SecretAuditEvent, tx?: RuntimeDb | null): Promise<void> {
  if (secretsConfig().target === 'public') {
    auditLog.info({ audit: { ...event, details: event.details ?? {} } }, 'audit');
    return;
  }
  await appendAuditEvent(tx ?? (await getRuntimeDb()), {
    workspaceId: event.workspaceId,
    actor: event.actor,
    action: event.action,
    resource: { type: 'secret', id: event.reference },
    outcome: event.outcome,
    reason: event.reason,
    requestId: event.requestId,
    details: event.details,
  });
}
