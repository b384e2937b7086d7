import Link from 'next/link';
import { Ago, DecisionAndMode, EnvironmentName } from '@/app/_components/status';
import { Card, EmptyState, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { latestPassportsByPair, listEnvironments, listServices } from '@/lib/console/catalog';
import { listPolicies } from '@/lib/console/policies';

export const metadata = { title: 'Services and environments' };

export default async function Services({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace } = await requireMember(slug, 'passport.read', `/console/${slug}/services`);
  const [services, environments, latest, policies] = await Promise.all([
    listServices(db, workspace.id),
    listEnvironments(db, workspace.id),
    latestPassportsByPair(db, workspace.id, 1),
    listPolicies(db, workspace.id),
  ]);
  const cell = new Map(latest.map((pair) => [`${pair.serviceId}|${pair.environmentId}`, pair.passports[0]!]));
  const now = new Date();
  const base = `/console/${workspace.slug}`;
  const policyFor = (service: string) => policies.filter((policy) => policy.service === service);

  return (
    <>
      <PageHeader
        title="Services and environments"
        description="The latest passport of every service in every environment. The gate adds services and environments the first time CI names them; environments named like production (prod, production, live) need a license with production entitlement to enforce."
      />
      {services.length === 0 ? (
        <EmptyState title="No services yet">The first gate evaluation from CI creates its service and environment.</EmptyState>
      ) : (
        <Card>
          <div className="relative -mx-5 overflow-x-auto" tabIndex={0} role="region" aria-label="Latest decision of each service in each environment">
            <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
              <caption className="sr-only">Latest decision of each service in each environment</caption>
              <thead>
                <tr>
                  <th scope="col" className="px-5 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                    Service
                  </th>
                  {environments.map((environment) => (
                    <th key={environment.id} scope="col" className="px-5 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                      <EnvironmentName name={environment.slug} production={environment.production} />
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {services.map((service) => (
                  <tr key={service.id}>
                    <th scope="row" className="px-5 py-3 text-left align-top font-medium">
                      <Link className="hover:underline" href={`${base}/passports?service=${encodeURIComponent(service.slug)}`}>
                        {service.slug}
                      </Link>
                      {policyFor(service.slug).map((policy) => (
                        <Link key={policy.id} href={`${base}/policies/${policy.id}`} className="mt-1 block text-xs font-normal text-slate-500 hover:underline dark:text-slate-400">
                          {policy.name} ({policy.mode})
                        </Link>
                      ))}
                    </th>
                    {environments.map((environment) => {
                      const passport = cell.get(`${service.id}|${environment.id}`);
                      return (
                        <td key={environment.id} className="px-5 py-3 align-top">
                          {passport ? (
                            <Link href={`${base}/passports/${passport.id}`} className="group block">
                              <DecisionAndMode decision={passport.decision} mode={passport.mode} blocking={passport.blocking} />
                              <span className="mt-1 block text-xs text-slate-500 group-hover:underline dark:text-slate-400">
                                <Ago value={passport.evaluatedAt} now={now} />
                                <span className="sr-only">
                                  : latest passport of {service.slug} in {environment.slug}
                                </span>
                              </span>
                            </Link>
                          ) : (
                            <span className="text-slate-500 dark:text-slate-400">
                              <span aria-hidden="true">—</span>
                              <span className="sr-only">never released</span>
                            </span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
