'use server';
/** Notification settings. Each action re-checks the session, the membership and notification.manage. */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, succeeded, type ActionState } from '@/lib/http/action-state';
import { actionParam, stateAction } from '@/lib/http/server-action';
import { createEndpoint, deleteEndpoint, retryDelivery, rotateEndpointSecret, sendTestEvent, updateEndpoint } from '@/lib/notifications/store';
import { secretActorOf } from '@/lib/secrets/handlers';

async function admin(slug: string) {
  const context = await requireMember(slug, 'notification.manage', `/settings/${slug}/notifications`);
  return { workspace: context.workspace, actor: secretActorOf(context.audit), requestId: context.audit.requestId ?? undefined };
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const events = (form: FormData) => form.getAll('events').map(String);
const done = (slug: string) => revalidatePath(`/settings/${slug}/notifications`);

export const createEndpointAction = stateAction('createEndpointAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, form): Promise<ActionState> => {
  const context = await admin(slug);
  const kind = text(form, 'kind');
  const { endpoint, signingSecret } = await createEndpoint(context, {
    name: text(form, 'name'),
    kind: kind as 'webhook' | 'slack',
    url: kind === 'webhook' ? text(form, 'url') || null : null,
    events: events(form) as never,
    secretRef: text(form, 'secretRef') || null,
    slackUrl: kind === 'slack' ? text(form, 'slackUrl') || null : null,
  });
  done(slug);
  return signingSecret
    ? succeeded(`Endpoint "${endpoint.name}" is added. Give its signing secret to the receiver now.`, { secret: signingSecret })
    : succeeded(`Endpoint "${endpoint.name}" is added. Send it a test event to check it.`);
});

export const updateEndpointAction = stateAction('updateEndpointAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, id, _state, form) => {
  const context = await admin(slug);
  const endpoint = await updateEndpoint(context, id, { name: text(form, 'name'), url: text(form, 'url') || null, events: events(form) as never, enabled: text(form, 'enabled') !== 'no' });
  done(slug);
  return succeeded(`Endpoint "${endpoint.name}" is saved.`);
});

export const deleteEndpointAction = stateAction('deleteEndpointAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, form) => {
  const context = await admin(slug);
  const removed = await deleteEndpoint(context, text(form, 'endpointId'));
  done(slug);
  return removed ? succeeded('The endpoint is deleted.') : failed('That endpoint no longer exists.');
});

export const rotateSecretAction = stateAction('rotateSecretAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, id, _state, form) => {
  const context = await admin(slug);
  const { endpoint, signingSecret } = await rotateEndpointSecret(context, id, text(form, 'slackUrl') || null);
  done(slug);
  return signingSecret
    ? succeeded(`"${endpoint.name}" signs with a new secret from now on: give it to the receiver.`, { secret: signingSecret })
    : succeeded(`"${endpoint.name}" posts to the new Slack URL from now on.`);
});

export const testEndpointAction = stateAction('testEndpointAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, form) => {
  const context = await admin(slug);
  await sendTestEvent(context, text(form, 'endpointId'));
  done(slug);
  return succeeded('A test event is queued; the worker sends it within seconds (see the delivery log).');
});

export const retryDeliveryAction = stateAction('retryDeliveryAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, form) => {
  const context = await admin(slug);
  const queued = await retryDelivery(context, text(form, 'deliveryId'));
  done(slug);
  return queued ? succeeded('Queued for another attempt now.') : failed('That delivery no longer exists or was delivered.');
});
