import { DateRange, FilterSelect, FilterText } from '@/app/_components/filters';
import { buttonClass, Card, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listEnvironments, listServices } from '@/lib/console/catalog';
import { AUDIT_OUTCOMES, auditFiltersSchema, DECISIONS, parseFilters, passportFiltersSchema, type SearchParams } from '@/lib/console/filters';
import { POLICY_MODES } from '@/lib/policy/schema';
import { FORMAT_INFO, FORMATS } from '@/lib/reports/formats';
import type { ReportKind } from '@/lib/reports/sources';

export const metadata = { title: 'Reports' };

const labelClass = 'block text-xs font-medium text-slate-700 dark:text-slate-300';

const REPORT_INFO: Record<ReportKind, { title: string; description: string }> = {
  passports: { title: 'Passports', description: 'One row per passport: the release (service, environment, source, image, chart), the decision and the mode.' },
  decisions: {
    title: 'Gate decisions',
    description: 'Everything a release review needs: each rule’s result with measured value and threshold, the evidence with its digests, the policy version, who asked, and the comments.',
  },
  audit: { title: 'Audit log', description: 'Every event of the workspace with its actor, action, resource, outcome, details and hash.' },
};

function Formats({ prefix }: { prefix: string }) {
  return (
    <fieldset>
      <legend className={labelClass}>Format</legend>
      <div className="mt-1 flex flex-wrap gap-3">
        {FORMATS.map((format) => (
          <label key={format} className="flex items-center gap-1.5 text-sm">
            <input type="radio" name="format" value={format} defaultChecked={format === 'csv'} className="accent-brand-600" id={`${prefix}-format-${format}`} />
            {FORMAT_INFO[format].label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export default async function Reports({ params, searchParams }: { params: Promise<{ workspace: string }>; searchParams: Promise<SearchParams> }) {
  const { workspace: slug } = await params;
  const { db, workspace } = await requireMember(slug, 'report.export', `/console/${slug}/reports`);
  const query = await searchParams;
  const selected = typeof query.report === 'string' ? query.report : null;
  const passportFilters = parseFilters(passportFiltersSchema, selected === 'audit' ? {} : query).filters;
  const auditFilters = parseFilters(auditFiltersSchema, selected === 'audit' ? query : {}).filters;
  const [services, environments] = await Promise.all([listServices(db, workspace.id), listEnvironments(db, workspace.id)]);
  const endpoint = (report: ReportKind) => `/api/v1/workspaces/${workspace.slug}/reports/${report}`;

  return (
    <>
      <PageHeader
        title="Reports"
        description="Download what you need for a release review or an audit. Every value is sanitized on the way out: tokens, kubeconfig credentials, private keys, payment keys and secret values are replaced by [redacted:…]. Each export is recorded in the audit log."
      />
      <div className="space-y-6">
        {(['passports', 'decisions'] as const).map((report) => (
          <Card key={report} title={REPORT_INFO[report].title} description={REPORT_INFO[report].description}>
            <form method="get" action={endpoint(report)} className="space-y-4" aria-label={`Export ${REPORT_INFO[report].title.toLowerCase()}`}>
              <div className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6">
                <FilterSelect id={`${report}-service`} name="service" label="Service" value={passportFilters.service} options={services.map((service) => service.slug)} />
                <FilterSelect id={`${report}-environment`} name="environment" label="Environment" value={passportFilters.environment} options={environments.map((environment) => environment.slug)} />
                <FilterSelect id={`${report}-decision`} name="decision" label="Decision" value={passportFilters.decision} options={[...DECISIONS]} />
                <FilterSelect id={`${report}-mode`} name="mode" label="Mode" value={passportFilters.mode} options={[...POLICY_MODES]} />
                <DateRange prefix={report} from={passportFilters.from} to={passportFilters.to} />
              </div>
              <div className="flex flex-wrap items-end justify-between gap-3">
                <Formats prefix={report} />
                <button type="submit" className={buttonClass('primary')}>
                  Download {REPORT_INFO[report].title.toLowerCase()}
                </button>
              </div>
            </form>
          </Card>
        ))}
        <Card title={REPORT_INFO.audit.title} description={REPORT_INFO.audit.description}>
          <form method="get" action={endpoint('audit')} className="space-y-4" aria-label="Export the audit log">
            <div className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6">
              <FilterText id="audit-actor" name="actor" label="Actor" value={auditFilters.actor} />
              <FilterText id="audit-action" name="action" label="Action" value={auditFilters.action} placeholder="policy." />
              <FilterText id="audit-resource" name="resource" label="Resource" value={auditFilters.resource} />
              <FilterSelect id="audit-outcome" name="outcome" label="Outcome" value={auditFilters.outcome} options={[...AUDIT_OUTCOMES]} />
              <DateRange prefix="audit" from={auditFilters.from} to={auditFilters.to} />
            </div>
            <div className="flex flex-wrap items-end justify-between gap-3">
              <Formats prefix="audit" />
              <button type="submit" className={buttonClass('primary')}>
                Download the audit log
              </button>
            </div>
          </form>
        </Card>
      </div>
    </>
  );
}
