import Link from '@/app/_components/link';
import { EnvironmentName } from '@/app/_components/status';
import { Card, EmptyState, PageHeader, Table, Td } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listManagedEnvironments } from '@/lib/catalog/store';
import { listRunning } from '@/lib/deployments/store';
import { MatchCells, SeenCell, SourceCell } from './parts';

export const metadata = { title: 'Environments' };

export default async function Environments({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace } = await requireMember(slug, 'passport.read', `/console/${slug}/environments`);
  const [environments, running] = await Promise.all([listManagedEnvironments(db, workspace.id), listRunning(db, workspace.id)]);
  const base = `/console/${workspace.slug}`;
  const now = new Date();

  return (
    <>
      <PageHeader
        title="Environments"
        description="What runs in each environment now, in promotion order: the images your Kubernetes and Argo CD connectors see and deploys report (rp report-deployment), each matched to its passport by digest. Only a passport of that exact digest in that environment makes an image passported."
      />
      {environments.length === 0 ? (
        <EmptyState title="No environments yet">The first gate evaluation from CI creates its environment, or add one under Services.</EmptyState>
      ) : (
        <div className="space-y-6">
          {environments.map((environment) => {
            const here = running.filter((view) => view.environment === environment.slug);
            const drift = here.filter((view) => view.match.status !== 'passported').length;
            return (
              <Card
                key={environment.slug}
                title={
                  <span className="flex flex-wrap items-center gap-2">
                    <EnvironmentName name={environment.slug} production={environment.tier === 'production'} />
                    {environment.name !== environment.slug && <span className="text-sm font-normal text-slate-500 dark:text-slate-400">{environment.name}</span>}
                  </span>
                }
                description={here.length === 0 ? undefined : `${here.length} running, ${drift === 0 ? 'all passported' : `${drift} without an allowing passport`}`}
                actions={
                  <Link className="text-sm text-brand-700 hover:underline dark:text-brand-100" href={`${base}/environments/${encodeURIComponent(environment.slug)}`}>
                    Timeline of {environment.slug}
                  </Link>
                }
              >
                {here.length === 0 ? (
                  <p className="text-sm text-slate-500 dark:text-slate-400">
                    Nothing seen running yet: give a Kubernetes or Argo CD connector this environment (Settings → Connectors), or report deploys with{' '}
                    <code className="font-mono text-xs">rp report-deployment --environment {environment.slug} --image …</code>.
                  </p>
                ) : (
                  <Table caption={`What runs in ${environment.slug} now`} head={['Image', 'Status', 'Passport', 'Seen', 'Source']}>
                    {here.map((view) => (
                      <tr key={view.id}>
                        <MatchCells view={view} base={base} />
                        <Td className="align-top">
                          <SeenCell view={view} now={now} />
                        </Td>
                        <Td className="align-top">
                          <SourceCell view={view} />
                        </Td>
                      </tr>
                    ))}
                  </Table>
                )}
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
