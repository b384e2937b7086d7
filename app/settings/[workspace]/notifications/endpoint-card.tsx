import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, Field, inputClass, Table, Td, Time } from '@/app/_components/ui';
import { NOTIFICATION_EVENTS } from '@/lib/domain/primitives';
import type { DeliveryRow, Endpoint } from '@/lib/notifications/store';
import type { SecretStatus } from '@/lib/secrets';
import { deleteEndpointAction, retryDeliveryAction, rotateSecretAction, testEndpointAction, updateEndpointAction } from './actions';

export const EVENT_LABELS: Record<(typeof NOTIFICATION_EVENTS)[number], string> = {
  'release.blocked': 'release blocked (enforce-mode deny)',
  'approval.requested': 'approval requested',
  'approval.approved': 'release approved',
  'approval.rejected': 'release rejected',
  'drift.detected': 'production runs an image without an allowing passport',
};

export function EventChoices({ prefix, chosen }: { prefix: string; chosen: readonly string[] }) {
  return (
    <fieldset>
      <legend className="text-sm font-medium">Events</legend>
      <div className="mt-1 flex flex-wrap gap-x-5 gap-y-1">
        {NOTIFICATION_EVENTS.map((event) => (
          <label key={event} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="events" value={event} defaultChecked={chosen.includes(event)} id={`${prefix}-event-${event}`} />
            <span className="font-mono text-xs">{event}</span> <span className="text-slate-500 dark:text-slate-400">{EVENT_LABELS[event]}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

const STATUS_TONE = { delivered: 'green', pending: 'amber', failed: 'red' } as const;

function DeliveryLog({ slug, endpoint, deliveries }: { slug: string; endpoint: Endpoint; deliveries: DeliveryRow[] }) {
  if (deliveries.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">Nothing sent yet.</p>;
  return (
    <Table caption={`Last ${deliveries.length} deliveries to ${endpoint.name}`} head={['Event', 'Status', 'Attempts', 'Response', 'When', 'Next retry', '']}>
      {deliveries.map((delivery) => (
        <tr key={delivery.id}>
          <Td className="font-mono text-xs">{delivery.event}</Td>
          <Td>
            <Badge tone={STATUS_TONE[delivery.status as keyof typeof STATUS_TONE] ?? 'neutral'}>{delivery.status === 'pending' && delivery.attempts > 0 ? 'retrying' : delivery.status}</Badge>
            {delivery.lastError && <p className="mt-1 max-w-sm text-xs text-red-700 dark:text-red-400">{delivery.lastError}</p>}
          </Td>
          <Td>{delivery.attempts}</Td>
          <Td className="font-mono text-xs">
            {delivery.lastStatusCode ?? '—'}
            {delivery.lastDurationMs !== null && <span className="text-slate-500 dark:text-slate-400"> · {delivery.lastDurationMs} ms</span>}
          </Td>
          <Td>
            <Time value={delivery.lastAttemptAt ?? delivery.createdAt} />
          </Td>
          <Td>{delivery.status === 'pending' ? <Time value={delivery.nextAttemptAt} /> : '—'}</Td>
          <Td>{delivery.status !== 'delivered' && <RowAction action={retryDeliveryAction.bind(null, slug)} name="deliveryId" value={delivery.id} label="Retry now" target={`${delivery.event} to ${endpoint.name}`} pendingLabel="Queuing…" />}</Td>
        </tr>
      ))}
    </Table>
  );
}

export function EndpointCard({ slug, endpoint, secret, deliveries }: { slug: string; endpoint: Endpoint; secret: SecretStatus; deliveries: DeliveryRow[] }) {
  const managed = endpoint.secretRef.startsWith(`store:notifications/${endpoint.id}/`);
  return (
    <Card
      title={
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-mono">{endpoint.name}</span>
          <Badge tone="brand">{endpoint.kind === 'webhook' ? 'Standard Webhook' : 'Slack'}</Badge>
          {endpoint.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="red">disabled</Badge>}
        </span>
      }
      description={endpoint.kind === 'webhook' ? endpoint.url : 'Slack incoming webhook (its URL is kept as a secret)'}
    >
      {!endpoint.enabled && endpoint.disabledReason && <p className="mb-3 text-sm text-red-700 dark:text-red-400">Disabled: {endpoint.disabledReason}</p>}
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-500 dark:text-slate-400">Events</dt>
        <dd className="font-mono text-xs">{endpoint.events.join(', ')}</dd>
        <dt className="text-slate-500 dark:text-slate-400">{endpoint.kind === 'webhook' ? 'Signing secret' : 'Webhook URL'}</dt>
        <dd>
          <span className="font-mono">{secret.reference}</span> {secret.set ? <Badge tone="green">set</Badge> : <Badge tone="red">not set</Badge>}{' '}
          <span className="text-xs text-slate-500 dark:text-slate-400">{secret.problem ?? secret.detail}</span>
        </dd>
      </dl>
      <div className="mt-4 space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        <div className="flex flex-wrap items-start gap-4">
          <RowAction action={testEndpointAction.bind(null, slug)} name="endpointId" value={endpoint.id} label="Send test event" target={endpoint.name} variant="secondary" pendingLabel="Queuing…" />
          <RowAction action={deleteEndpointAction.bind(null, slug)} name="endpointId" value={endpoint.id} label="Delete" target={endpoint.name} variant="danger" pendingLabel="Deleting…" />
        </div>
        <details>
          <summary className="cursor-pointer text-sm font-medium">Edit {endpoint.name}</summary>
          <ActionForm action={updateEndpointAction.bind(null, slug, endpoint.id)} className="mt-3">
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id={`edit-${endpoint.id}-name`} label="Name" name="name">
                <input id={`edit-${endpoint.id}-name`} name="name" required defaultValue={endpoint.name} className={`${inputClass} font-mono`} />
              </Field>
              {endpoint.kind === 'webhook' && (
                <Field id={`edit-${endpoint.id}-url`} label="URL" name="url">
                  <input id={`edit-${endpoint.id}-url`} name="url" type="url" required defaultValue={endpoint.url ?? ''} className={`${inputClass} font-mono`} />
                </Field>
              )}
              <Field id={`edit-${endpoint.id}-enabled`} label="Sending" name="enabled">
                <select id={`edit-${endpoint.id}-enabled`} name="enabled" defaultValue={endpoint.enabled ? 'yes' : 'no'} className={inputClass}>
                  <option value="yes">enabled</option>
                  <option value="no">disabled</option>
                </select>
              </Field>
            </div>
            <EventChoices prefix={`edit-${endpoint.id}`} chosen={endpoint.events} />
            <SubmitButton pendingLabel="Saving…">Save</SubmitButton>
          </ActionForm>
        </details>
        {managed && (
          <details>
            <summary className="cursor-pointer text-sm font-medium">{endpoint.kind === 'webhook' ? 'Rotate the signing secret' : 'Replace the Slack URL'}</summary>
            <ActionForm action={rotateSecretAction.bind(null, slug, endpoint.id)} className="mt-3" secret={{ label: 'The new signing secret', note: 'Give it to the receiver now: it is shown only once. Deliveries are signed with it from now on.' }}>
              {endpoint.kind === 'slack' && (
                <Field id={`rotate-${endpoint.id}-slackUrl`} label="New Slack webhook URL" name="slackUrl">
                  <input id={`rotate-${endpoint.id}-slackUrl`} name="slackUrl" type="url" required autoComplete="off" placeholder="https://hooks.slack.com/services/…" className={`${inputClass} font-mono`} />
                </Field>
              )}
              <SubmitButton variant="secondary" pendingLabel="Rotating…">{endpoint.kind === 'webhook' ? 'Rotate secret' : 'Replace URL'}</SubmitButton>
            </ActionForm>
          </details>
        )}
        <h3 className="pt-2 text-sm font-semibold">Delivery log</h3>
        <DeliveryLog slug={slug} endpoint={endpoint} deliveries={deliveries} />
      </div>
    </Card>
  );
}
