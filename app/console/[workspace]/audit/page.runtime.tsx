import Link from '@/app/_components/link';
import { Suspense } from 'react';
import { DateRange, FilterButtons, FilterSelect, FilterText, IgnoredFilters } from '@/app/_components/filters';
import { Pager } from '@/app/_components/pager';
import { DecisionAndMode } from '@/app/_components/status';
import { Alert, Badge, Card, EmptyState, LinkButton, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import type { RuntimeDb } from '@/db/runtime';
import { requireMember } from '@/lib/auth/guard';
import { ACTION_FAMILIES, gateDecisionOf, listAuditEvents, verifyWorkspaceChain } from '@/lib/console/audit';
import { labelAuditResources, resourceLabelOf, type ResourceLabel } from '@/lib/console/audit-resources';
import { AUDIT_OUTCOMES, auditFiltersSchema, filterParams, parseFilters, type SearchParams } from '@/lib/console/filters';
import { sanitizeValue } from '@/lib/reports/sanitize';
import { plural } from '@/lib/text/plural';

export const metadata = { title: 'Audit log' };

/** Verifying reads the whole chain: streamed in after the list, so the page never waits on it. */
async function ChainStatus({ db, workspaceId }: { db: RuntimeDb; workspaceId: string }) {
  const result = await verifyWorkspaceChain(db, workspaceId);
  if (result.ok) {
    return (
      <Alert tone="success" title="The audit chain verifies">
        {plural(result.checked, 'event')} checked, each hash linked to the one before
        {result.checkpoint ? `, from the retention checkpoint at seq ${result.checkpoint.uptoSeq}` : ''}. Last hash <code className="font-mono text-xs">{result.lastHash?.slice(0, 16) ?? '—'}…</code>
      </Alert>
    );
  }
  return (
    <Alert tone="error" title="The audit chain does not verify">
      At seq {result.broken!.seq}
      {result.broken!.action ? ` (${result.broken!.action})` : ''}: {result.broken!.reason}. Events after this point cannot be trusted to be complete and unaltered; keep a copy of the
      database and compare it with your SIEM or backups.
    </Alert>
  );
}

/** The resource by name, linked where the console shows it; its type:id underneath for searching and exports. */
function ResourceCell({ resource, raw }: { resource: ResourceLabel | null; raw: string | null }) {
  if (!resource) return <>—</>;
  return (
    <>
      {resource.href ? (
        <Link className="break-words text-brand-700 hover:underline dark:text-brand-100" href={resource.href}>
          {resource.label}
        </Link>
      ) : (
        <span className="break-words">{resource.label}</span>
      )}
      {raw && <span className="block break-all font-mono text-[11px] text-slate-500 dark:text-slate-400">{raw}</span>}
    </>
  );
}

export default async function AuditLog({ params, searchParams }: { params: Promise<{ workspace: string }>; searchParams: Promise<SearchParams> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'audit.read', `/console/${slug}/audit`);
  const query = await searchParams;
  const { filters, ignored } = parseFilters(auditFiltersSchema, query);
  const cursor = typeof query.cursor === 'string' ? query.cursor : null;
  const page = await listAuditEvents(db, workspace.id, filters, { cursor });
  const resources = await labelAuditResources(db, workspace, page.rows);
  const base = `/console/${workspace.slug}`;
  const filtered = filterParams(filters).size > 0;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and every refusal in this workspace: gate decisions, policy changes, approvals, comments, exports, sign-in denials. Append-only and hash-chained."
        actions={
          can('report.export') ? (
            <LinkButton variant="secondary" href={`${base}/reports?${filterParams(filters, { report: 'audit' }).toString()}`}>
              Export {filtered ? 'these events' : 'the log'}
            </LinkButton>
          ) : undefined
        }
      />
      <div className="mb-6">
        <Suspense fallback={<Alert tone="info">Verifying the audit chain…</Alert>}>
          <ChainStatus db={db} workspaceId={workspace.id} />
        </Suspense>
      </div>
      <Card className="mb-6">
        <form method="get" className="grid items-end gap-3 sm:grid-cols-3 lg:grid-cols-7" aria-label="Filter audit events">
          <FilterText id="a-actor" name="actor" label="Actor" value={filters.actor} placeholder="email or token name" />
          <FilterText id="a-action" name="action" label="Action" value={filters.action} placeholder="policy. or comment.create" list="a-action-families" />
          <datalist id="a-action-families">
            {ACTION_FAMILIES.map((family) => (
              <option key={family} value={family} />
            ))}
          </datalist>
          <FilterText id="a-resource" name="resource" label="Resource" value={filters.resource} placeholder="policy or policy:<id>" />
          <FilterSelect id="a-outcome" name="outcome" label="Outcome" value={filters.outcome} options={AUDIT_OUTCOMES.map((outcome) => ({ value: outcome, label: outcome === 'allow' ? 'allowed' : 'denied' }))} />
          <DateRange prefix="a" from={filters.from} to={filters.to} />
          <FilterButtons clearHref={filtered ? `${base}/audit` : null} />
        </form>
      </Card>
      <IgnoredFilters ignored={ignored} />
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? 'No event matches these filters' : 'No events yet'} />
      ) : (
        <Card>
          <Table caption="Audit events, newest first" head={['Seq', 'When', 'Actor', 'Action', 'Resource', 'Outcome', 'Details']}>
            {page.rows.map((event) => (
              <tr key={event.id} className="align-top">
                <Td className="font-mono text-xs">{event.seq}</Td>
                <Td className="whitespace-nowrap">
                  <Time value={event.at} />
                </Td>
                <Td>
                  <span className="break-all">{event.actorLabel ?? event.actorId ?? '—'}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{event.actorType}</span>
                </Td>
                <Td className="font-mono text-xs">
                  {event.action}
                  <GateDecision details={event.details} />
                </Td>
                <Td className="max-w-56 text-xs">
                  <ResourceCell resource={resourceLabelOf(resources, event)} raw={event.resourceType ? `${event.resourceType}${event.resourceId ? `:${event.resourceId}` : ''}` : null} />
                </Td>
                <Td>
                  {event.outcome === 'allow' ? <Badge tone="green">allowed</Badge> : <Badge tone="red">denied</Badge>}
                  {event.reason && <span className="mt-1 block max-w-xs text-xs text-slate-600 dark:text-slate-400">{event.reason}</span>}
                </Td>
                <Td>
                  <details>
                    <summary className="cursor-pointer text-xs font-medium text-brand-700 dark:text-brand-100">
                      Show<span className="sr-only"> details of event {event.seq}</span>
                    </summary>
                    <dl className="mt-2 space-y-1 text-xs">
                      <div>
                        <dt className="inline font-medium">Request id: </dt>
                        <dd className="inline font-mono">{event.requestId ?? '—'}</dd>
                      </div>
                      <div>
                        <dt className="inline font-medium">Client address: </dt>
                        <dd className="inline font-mono">{event.ip ?? '—'}</dd>
                      </div>
                      <div>
                        <dt className="inline font-medium">Hash: </dt>
                        <dd className="inline break-all font-mono">{event.hash}</dd>
                      </div>
                      <div>
                        <dt className="inline font-medium">Previous: </dt>
                        <dd className="inline break-all font-mono">{event.prevHash}</dd>
                      </div>
                    </dl>
                    <pre className="mt-2 max-h-64 max-w-md overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">{JSON.stringify(sanitizeValue(event.details), null, 2)}</pre>
                  </details>
                </Td>
              </tr>
            ))}
          </Table>
          <Pager basePath={`${base}/audit`} params={filterParams(filters, { cursor: cursor ?? undefined })} next={page.next} shown={page.rows.length} label="events" one="event" />
        </Card>
      )}
    </>
  );
}

/** The release's decision under a gate.evaluate action (the outcome column is about the request). */
function GateDecision({ details }: { details: unknown }) {
  const recorded = gateDecisionOf(details);
  if (!recorded) return null;
  return (
    <span className="mt-1 flex items-center gap-1 font-sans">
      <span className="text-slate-600 dark:text-slate-400">decision</span>
      <DecisionAndMode {...recorded} />
    </span>
  );
}
