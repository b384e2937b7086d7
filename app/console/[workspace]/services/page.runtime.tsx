import Link from '@/app/_components/link';
import { Ago, DecisionAndMode, EnvironmentName } from '@/app/_components/status';
import { Card, EmptyState, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listManagedEnvironments, listManagedServices } from '@/lib/catalog/store';
import { latestPassportsByPair } from '@/lib/console/catalog';
import { listPolicies } from '@/lib/console/policies';
import { AddCard, ArchivedCard, EnvironmentsCard, ServicesCard, TierBadge, UnclassifiedBanner } from './manage';

export const metadata = { title: 'Services and environments' };

export default async function Services({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'passport.read', `/console/${slug}/services`);
  const [allServices, allEnvironments, latest, policies] = await Promise.all([
    listManagedServices(db, workspace.id, { includeArchived: true }),
    listManagedEnvironments(db, workspace.id, { includeArchived: true }),
    latestPassportsByPair(db, workspace.id, 1),
    listPolicies(db, workspace.id),
  ]);
  const services = allServices.filter((service) => !service.archived);
  // Columns in the promotion order (dev, staging, production...).
  const environments = allEnvironments.filter((environment) => !environment.archived);
  const rights = { slug: workspace.slug, manage: can('catalog.write'), tier: can('environment.tier') };
  const cell = new Map(latest.map((pair) => [`${pair.service}|${pair.environment}`, pair.passports[0]!]));
  const now = new Date();
  const base = `/console/${workspace.slug}`;
  const policyFor = (service: string) => policies.filter((policy) => policy.service === service);

  return (
    <>
      <PageHeader
        title="Services and environments"
        description="The latest passport of every service in every environment, in promotion order. The gate adds services and environments the first time CI names them; a production environment needs a license with production entitlement to enforce."
      />
      <UnclassifiedBanner rights={rights} environments={environments.filter((environment) => !environment.classified)} />
      {services.length === 0 ? (
        <EmptyState title="No services yet">The first gate evaluation from CI creates its service and environment, or add them below.</EmptyState>
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
                    <th key={environment.slug} scope="col" className="px-5 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                      <EnvironmentName name={environment.slug} production={environment.tier === 'production'} />
                      {!environment.classified && (
                        <span className="mt-1 block normal-case">
                          <TierBadge environment={environment} />
                        </span>
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {services.map((service) => (
                  <tr key={service.slug}>
                    <th scope="row" className="px-5 py-3 text-left align-top font-medium">
                      <Link className="hover:underline" href={`${base}/passports?service=${encodeURIComponent(service.slug)}`}>
                        {service.slug}
                      </Link>
                      {service.name !== service.slug && <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">{service.name}</span>}
                      {service.owners.length > 0 && (
                        <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">owners: {service.owners.map((owner) => owner.name || owner.email).join(', ')}</span>
                      )}
                      {policyFor(service.slug).map((policy) => (
                        <Link key={policy.id} href={`${base}/policies/${policy.id}`} className="mt-1 block text-xs font-normal text-slate-500 hover:underline dark:text-slate-400">
                          {policy.name} ({policy.mode})
                        </Link>
                      ))}
                    </th>
                    {environments.map((environment) => {
                      const passport = cell.get(`${service.slug}|${environment.slug}`);
                      return (
                        <td key={environment.slug} className="px-5 py-3 align-top">
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
      <div className="mt-6 space-y-6">
        {environments.length > 0 && <EnvironmentsCard rights={rights} environments={environments} />}
        {services.length > 0 && <ServicesCard rights={rights} services={services} />}
        <AddCard rights={rights} />
        <ArchivedCard rights={rights} services={allServices.filter((service) => service.archived)} environments={allEnvironments.filter((environment) => environment.archived)} />
      </div>
    </>
  );
}
