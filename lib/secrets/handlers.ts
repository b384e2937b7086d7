/** The secrets routes' logic: status for the settings page, writes and removals of store entries. */
import type { deleteSecretEndpoint, secretsStatusEndpoint, writeSecretEndpoint } from '@/lib/api/endpoints/secrets';
import { authorize } from '@/lib/access/can';
import type { AuditContext } from '@/lib/audit/event';
import type { ApiContext } from '@/lib/http/with-api';
import { ProblemError } from '@/lib/http/problem';
import { SecretError } from './errors';
import { secretProblem } from './problem';
import { secretsOverview } from './overview';
import { deleteSecret, writeSecret } from './write';
import type { SecretActor } from './audit';

/** The request's actor as the secrets layer names it (always labelled). */
export function secretActorOf(audit: AuditContext): SecretActor {
  return { ...audit.actor, label: audit.actor.label ?? audit.actor.type };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SecretError) throw secretProblem(error);
    throw error;
  }
}

export async function handleSecretsStatus(ctx: ApiContext<typeof secretsStatusEndpoint>) {
  const workspace = ctx.workspace!;
  // Installation-level status (and where the store key comes from) is for those who may read secrets.
  const maintainer = ctx.actor ? authorize(ctx.actor, 'secret.read', { workspaceId: workspace.id }).allowed : false;
  return secretsOverview(ctx.db, workspace, { installation: maintainer });
}

/**
 * store:signing/... holds the workspace's passport signing keys: made and retired by key rotation,
 * never written or removed by hand (a replaced or missing key would break signing).
 */
export function managedReference(reference: string): string | null {
  return reference.startsWith('store:signing/') ? 'Signing keys are created and retired by signing-key rotation, not edited here.' : null;
}

export async function handleWriteSecret(ctx: ApiContext<typeof writeSecretEndpoint>) {
  const managed = managedReference(ctx.body.reference);
  if (managed) throw new ProblemError('validation-failed', managed, { errors: [{ path: 'body.reference', message: 'managed by the product' }] });
  const { reference, version } = await guard(() =>
    writeSecret(ctx.body.reference, ctx.body.value, { workspace: ctx.workspace!, actor: secretActorOf(ctx.audit), requestId: ctx.requestId }),
  );
  return { reference, version, set: true as const };
}

export async function handleDeleteSecret(ctx: ApiContext<typeof deleteSecretEndpoint>) {
  const managed = managedReference(ctx.query.reference);
  if (managed) throw new ProblemError('validation-failed', managed, { errors: [{ path: 'query.reference', message: 'managed by the product' }] });
  const removed = await guard(() => deleteSecret(ctx.query.reference, { workspace: ctx.workspace!, actor: secretActorOf(ctx.audit), requestId: ctx.requestId }));
  if (!removed) throw new ProblemError('not-found', `Nothing is stored at ${ctx.query.reference} in this workspace.`);
  return null;
}
