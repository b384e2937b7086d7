'use server';
/** Storing and removing workspace secrets. Each action re-checks the session, the membership and secret.write. */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, succeeded } from '@/lib/http/action-state';
import { deleteSecret, SecretError, writeSecret } from '@/lib/secrets';
import { managedReference, secretActorOf } from '@/lib/secrets/handlers';
import { actionParam, stateAction } from '@/lib/http/server-action';

export const storeSecretAction = stateAction('storeSecretAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { workspace, audit } = await requireMember(slug, 'secret.write', `/settings/${slug}/secrets`);
  const reference = String(formData.get('reference') ?? '').trim();
  const value = String(formData.get('value') ?? '');
  if (!reference.startsWith('store:')) return failed('The secret was not stored.', { reference: 'A store: reference, e.g. store:production/prometheus-token.' });
  if (!value) return failed('The secret was not stored.', { value: 'Paste the value.' });
  const managed = managedReference(reference);
  if (managed) return failed('The secret was not stored.', { reference: managed });
  try {
    const { version } = await writeSecret(reference, value, { workspace, actor: secretActorOf(audit), requestId: audit.requestId ?? undefined });
    revalidatePath(`/settings/${slug}/secrets`);
    return succeeded(`${reference} is stored (version ${version}). Its value is not shown again.`);
  } catch (error) {
    if (error instanceof SecretError) return failed('The secret was not stored.', { [error.code === 'invalid-reference' || error.code === 'unsupported' ? 'reference' : 'value']: error.message });
    throw error;
  }
});

export const deleteSecretAction = stateAction('deleteSecretAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { workspace, audit } = await requireMember(slug, 'secret.write', `/settings/${slug}/secrets`);
  const reference = String(formData.get('reference') ?? '');
  const managed = managedReference(reference);
  if (managed) return failed(managed);
  try {
    const removed = await deleteSecret(reference, { workspace, actor: secretActorOf(audit), requestId: audit.requestId ?? undefined });
    revalidatePath(`/settings/${slug}/secrets`);
    return removed ? succeeded(`${reference} is removed.`) : failed(`Nothing was stored at ${reference}.`);
  } catch (error) {
    if (error instanceof SecretError) return failed(error.message);
    throw error;
  }
});
