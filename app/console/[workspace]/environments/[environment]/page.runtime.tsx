import Link from '@/app/_components/link';
import { notFound } from 'next/navigation';
import { Ago, EnvironmentName } from '@/app/_components/status';
import { Badge, Card, EmptyState, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { environmentTimeline, findEnvironmentRef, type TimelineEvent } from '@/lib/deployments/store';
import { MatchCells, SourceCell } from '../parts';

export const metadata = { title: 'Environment timeline' };

const LIMIT = 200;
const EVENT_LABEL: Record<TimelineEvent['kind'], string> = { deployed: 'deployed', replaced: 'replaced', gone: 'gone' };
const EVENT_TONE = { deployed: 'brand', replaced: 'brand', gone: 'neutral' } as const;

export default async function EnvironmentTimeline({ params }: { params: Promise<{ workspace: string; environment: string }> }) {
  const { workspace: slug, environment: environmentSlug } = await params;
  const { db, workspace } = await requireMember(slug, 'passport.read', `/console/${slug}/environments/${environmentSlug}`);
  const environment = await findEnvironmentRef(db, workspace.id, environmentSlug);
  if (!environment) notFound();
  const events = await environmentTimeline(db, workspace.id, environment, LIMIT);
  const base = `/console/${workspace.slug}`;
  const now = new Date();

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <Link className="hover:underline" href={`${base}/environments`}>
          Environments
        </Link>{' '}
        / <span aria-current="page">{environment.slug}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            Timeline of <EnvironmentName name={environment.slug} production={environment.production} />
          </span>
        }
        description={`What was deployed to ${environment.slug}, what replaced it and what went, newest first, as the connectors saw it and deploys reported it. The status is each image's match as of now.${environment.archived ? ' This environment is archived.' : ''}`}
      />
      {events.length === 0 ? (
        <EmptyState title={`Nothing seen in ${environment.slug} yet`}>
          Give a Kubernetes or Argo CD connector this environment (Settings → Connectors), or report deploys with <code className="font-mono text-xs">rp report-deployment</code>.
        </EmptyState>
      ) : (
        <Card>
          <Table caption={`Timeline of ${environment.slug}`} head={['When', 'What', 'Image', 'Status now', 'Passport', 'Source']}>
            {events.map((event) => (
              <tr key={`${event.kind}-${event.deployment.id}`}>
                <Td className="align-top">
                  <span className="block whitespace-nowrap">
                    <Ago value={event.at} now={now} />
                  </span>
                  <span className="block whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">
                    <Time value={event.at} />
                  </span>
                </Td>
                <Td className="align-top">
                  <Badge tone={EVENT_TONE[event.kind]}>{EVENT_LABEL[event.kind]}</Badge>
                  {event.replaced && (
                    <span className="mt-1 block max-w-48 break-all text-xs text-slate-500 dark:text-slate-400">
                      replacing {event.replaced.digest ? `${event.replaced.digest.slice(0, 19)}…` : event.replaced.image}
                    </span>
                  )}
                </Td>
                <MatchCells view={event.deployment} base={base} />
                <Td className="align-top">
                  <SourceCell view={event.deployment} />
                </Td>
              </tr>
            ))}
          </Table>
          {new Set(events.map((event) => event.deployment.id)).size >= LIMIT && <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">The newest {LIMIT} deployments; older ones are kept but not shown.</p>}
        </Card>
      )}
    </>
  );
}
