import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { Card, EmptyState, Field, inputClass, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listEndpoints, recentDeliveries } from '@/lib/notifications/store';
import { secretReferenceStatus } from '@/lib/secrets';
import { createEndpointAction } from './actions';
import { EndpointCard, EventChoices } from './endpoint-card';

export const metadata = { title: 'Notifications' };

export default async function Notifications({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, 'notification.manage', `/settings/${slug}/notifications`);
  const endpoints = await listEndpoints(member.workspace.id, member.db);
  const [deliveries, secrets] = await Promise.all([
    recentDeliveries(member.workspace.id, endpoints.map((endpoint) => endpoint.id), 50, member.db),
    Promise.all(endpoints.map((endpoint) => secretReferenceStatus(endpoint.secretRef, { workspace: { id: member.workspace.id } }))),
  ]);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Notifications"
        description="Signed webhooks (Standard Webhooks) and Slack messages when a release is blocked, awaits approval, or is approved or rejected. The worker delivers them, retrying for about seven hours."
      />
      {endpoints.length === 0 ? (
        <EmptyState title="No notification endpoints yet">Add one below; see the Notifications page of the documentation for the payload and how to verify its signature.</EmptyState>
      ) : (
        endpoints.map((endpoint, index) => <EndpointCard key={endpoint.id} slug={slug} endpoint={endpoint} secret={secrets[index]!} deliveries={deliveries.get(endpoint.id) ?? []} />)
      )}
      <Card title="New endpoint">
        <ActionForm
          action={createEndpointAction.bind(null, slug)}
          resetOnSuccess
          secret={{ label: 'Signing secret', note: 'Give it to the receiver now: it is shown only once and cannot be recovered. The receiver checks each delivery’s webhook-signature with it.' }}
        >
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="new-name" label="Name" name="name" hint="Lowercase letters, digits and “-”.">
              <input id="new-name" name="name" required placeholder="deploy-bot" className={`${inputClass} font-mono`} />
            </Field>
            <Field id="new-kind" label="Kind" name="kind">
              <select id="new-kind" name="kind" required defaultValue="webhook" className={inputClass}>
                <option value="webhook">Webhook (Standard Webhooks, signed)</option>
                <option value="slack">Slack incoming webhook</option>
              </select>
            </Field>
            <Field id="new-url" label="Webhook URL" name="url" hint="Webhooks only: where the signed JSON is posted.">
              <input id="new-url" name="url" type="url" placeholder="https://deploy-bot.example.com/hooks/release-passport" className={`${inputClass} font-mono`} />
            </Field>
            <Field id="new-slackUrl" label="Slack webhook URL" name="slackUrl" hint="Slack only: kept in the secret store, never shown again.">
              <input id="new-slackUrl" name="slackUrl" type="url" autoComplete="off" placeholder="https://hooks.slack.com/services/…" className={`${inputClass} font-mono`} />
            </Field>
            <Field
              id="new-secretRef"
              label="Or an existing secret (reference)"
              name="secretRef"
              hint="Optional: a webhook’s whsec_… signing secret or the Slack URL, kept elsewhere (e.g. store:notifications/deploy-bot or vault:kv/notify#slack). Empty: a webhook gets a new signing secret."
            >
              <input id="new-secretRef" name="secretRef" className={`${inputClass} font-mono`} />
            </Field>
          </div>
          <EventChoices prefix="new" chosen={['release.blocked', 'approval.requested']} />
          <SubmitButton pendingLabel="Adding…">Add endpoint</SubmitButton>
        </ActionForm>
      </Card>
    </div>
  );
}
