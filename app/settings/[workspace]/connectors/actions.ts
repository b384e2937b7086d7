'use server';
/** Connector settings. Each action re-checks the session, the membership and connector.write. */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { connectorInputFromForm, formErrors } from '@/lib/connectors/form';
import { testConnector } from '@/lib/connectors/handlers';
import { createConnector, deleteConnector, getConnector, updateConnector } from '@/lib/connectors/store';
import { failed, succeeded, type ActionState } from '@/lib/http/action-state';
import { ProblemError } from '@/lib/http/problem';
import { secretActorOf } from '@/lib/secrets/handlers';
import { actionParam, stateAction } from '@/lib/http/server-action';

async function member(slug: string) {
  const context = await requireMember(slug, 'connector.write', `/settings/${slug}/connectors`);
  return { ...context, writer: { workspace: context.workspace, actor: secretActorOf(context.audit), requestId: context.audit.requestId ?? undefined } };
}

function refused(error: unknown, what: string): ActionState {
  if (error instanceof ProblemError) return failed(`${what}: ${error.message}`, formErrors(error));
  throw error;
}

export const createConnectorAction = stateAction('createConnectorAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { writer } = await member(slug);
  try {
    const connector = await createConnector(writer, connectorInputFromForm(formData));
    revalidatePath(`/settings/${slug}/connectors`);
    return succeeded(`Connector "${connector.name}" is configured. Test it to read it now; the worker polls it from here on.`);
  } catch (error) {
    return refused(error, 'The connector was not created');
  }
});

export const updateConnectorAction = stateAction('updateConnectorAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, id, _state, formData) => {
  const { writer } = await member(slug);
  try {
    // The version the form was opened at: a connector changed meanwhile is refused, not overwritten.
    const version = Number(formData.get('version'));
    const connector = await updateConnector(writer, id, connectorInputFromForm(formData), { expectedVersion: Number.isInteger(version) && version > 0 ? version : null });
    revalidatePath(`/settings/${slug}/connectors`);
    return succeeded(`Connector "${connector.name}" is saved.`);
  } catch (error) {
    return refused(error, 'The connector was not saved');
  }
});

export const deleteConnectorAction = stateAction('deleteConnectorAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { writer } = await member(slug);
  const removed = await deleteConnector(writer, String(formData.get('connectorId') ?? ''));
  revalidatePath(`/settings/${slug}/connectors`);
  return removed ? succeeded('The connector is deleted.') : failed('That connector no longer exists.');
});

export const testConnectorAction = stateAction('testConnectorAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { workspace, writer } = await member(slug);
  const connector = await getConnector(workspace.id, String(formData.get('connectorId') ?? ''));
  if (!connector) return failed('That connector no longer exists.');
  const sourceSha = String(formData.get('sourceSha') ?? '').trim() || undefined;
  if (connector.type === 'github-actions' && !sourceSha) return failed('A GitHub Actions connector reads the runs of one commit: give a source SHA to test it.');
  const results = await testConnector(connector, { actor: writer.actor, requestId: writer.requestId, sourceSha });
  revalidatePath(`/settings/${slug}/connectors`);
  const failures = results.filter((result) => !result.ok);
  return failures.length === 0
    ? succeeded(`Read ${results.map((result) => result.target).join(', ')}: all good.`)
    : failed(failures.map((result) => `${result.target}: ${result.error}`).join(' · '));
});
