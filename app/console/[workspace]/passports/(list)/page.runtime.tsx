import Link from '@/app/_components/link';
import { Pager } from '@/app/_components/pager';
import { DateRange, FilterButtons, FilterSelect, IgnoredFilters } from '@/app/_components/filters';
import { Ago, DecisionAndMode, Digest, EnvironmentName } from '@/app/_components/status';
import { Card, EmptyState, LinkButton, PageHeader, Table, Td } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listEnvironments, listServices } from '@/lib/console/catalog';
import { DECISIONS, filterParams, parseFilters, passportFiltersSchema, type SearchParams } from '@/lib/console/filters';
import { listPassports } from '@/lib/console/passports';
import { POLICY_MODES } from '@/lib/policy/schema';

export const metadata = { title: 'Passports' };

export default async function Passports({ params, searchParams }: { params: Promise<{ workspace: string }>; searchParams: Promise<SearchParams> }) {
  const { workspace: slug } = await params;
  const { db, workspace, can } = await requireMember(slug, 'passport.read', `/console/${slug}/passports`);
  const query = await searchParams;
  const { filters, ignored } = parseFilters(passportFiltersSchema, query);
  const cursor = typeof query.cursor === 'string' ? query.cursor : null;
  const [page, services, environments] = await Promise.all([
    listPassports(db, workspace.id, filters, { cursor }),
    listServices(db, workspace.id),
    listEnvironments(db, workspace.id),
  ]);
  const base = `/console/${workspace.slug}`;
  const filtered = filterParams(filters).size > 0;
  const now = new Date();

  return (
    <>
      <PageHeader
        title="Passports"
        description="Every gate decision, signed. Filter by service, environment, decision, mode and date; open one to see why."
        actions={
          can('report.export') ? (
            <LinkButton variant="secondary" href={`${base}/reports?${filterParams(filters, { report: 'passports' }).toString()}`}>
              Export {filtered ? 'these' : 'passports'}
            </LinkButton>
          ) : undefined
        }
      />
      <Card className="mb-6">
        <form method="get" className="grid items-end gap-3 sm:grid-cols-3 lg:grid-cols-7" aria-label="Filter passports">
          <FilterSelect id="f-service" name="service" label="Service" value={filters.service} options={services.map((service) => service.slug)} />
          <FilterSelect
            id="f-environment"
            name="environment"
            label="Environment"
            value={filters.environment}
            options={environments.map((environment) => ({ value: environment.slug, label: `${environment.slug}${environment.production ? ' (production)' : ''}` }))}
          />
          <FilterSelect id="f-decision" name="decision" label="Decision" value={filters.decision} options={[...DECISIONS]} />
          <FilterSelect id="f-mode" name="mode" label="Mode" value={filters.mode} options={[...POLICY_MODES]} />
          <DateRange prefix="f" from={filters.from} to={filters.to} />
          <FilterButtons clearHref={filtered ? `${base}/passports` : null} />
        </form>
      </Card>
      <IgnoredFilters ignored={ignored} />
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? 'No passport matches these filters' : 'No passports yet'}>
          {filtered ? (
            <Link className="text-brand-700 underline dark:text-brand-100" href={`${base}/passports`}>
              Show every passport
            </Link>
          ) : (
            'Each gate evaluation from CI (rp gate) records one.'
          )}
        </EmptyState>
      ) : (
        <Card>
          <Table caption="Passports, newest first" head={['Evaluated', 'Service', 'Environment', 'Decision', 'Source', 'Image', 'Chart']}>
            {page.rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                <Td className="whitespace-nowrap">
                  <Link className="font-medium text-brand-700 hover:underline dark:text-brand-100" href={`${base}/passports/${row.id}`}>
                    <Ago value={row.evaluatedAt} now={now} />
                    <span className="sr-only">: passport {row.id.slice(0, 12)} of {row.service} in {row.environment}</span>
                  </Link>
                </Td>
                <Td className="font-medium">{row.service}</Td>
                <Td>
                  <EnvironmentName name={row.environment} production={row.production} />
                </Td>
                <Td>
                  <DecisionAndMode decision={row.decision} mode={row.mode} blocking={row.blocking} />
                </Td>
                <Td>
                  <code className="font-mono text-xs" title={row.sourceSha}>
                    {row.sourceSha.slice(0, 10)}
                  </code>
                </Td>
                <Td>
                  <Digest value={row.imageDigest} />
                </Td>
                <Td>{row.chartVersion ?? '—'}</Td>
              </tr>
            ))}
          </Table>
          <Pager basePath={`${base}/passports`} params={filterParams(filters, { cursor: cursor ?? undefined })} next={page.next} shown={page.rows.length} label="passports" one="passport" />
        </Card>
      )}
    </>
  );
}
