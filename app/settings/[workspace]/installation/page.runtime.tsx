import { Alert, Badge, Card, PageHeader } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { installationStatus, installationSummary, type CheckState } from '@/lib/console/installation';

export const metadata = { title: 'Installation' };

const STATE: Record<CheckState, { tone: 'green' | 'amber' | 'red'; label: string }> = {
  ok: { tone: 'green', label: 'ready' },
  attention: { tone: 'amber', label: 'needs attention' },
  error: { tone: 'red', label: 'not working' },
};

export default async function Installation({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  // Infrastructure details (hosts, buckets, key sources; never credentials): for those who configure it.
  await requireMember(slug, 'settings.write', `/settings/${slug}/installation`);
  const checks = await installationStatus();
  const summary = installationSummary(checks);

  return (
    <>
      <PageHeader
        title="Installation"
        description="What this runtime runs on, checked live just now. Shared by every workspace of this installation; credentials are never shown."
      />
      <div className="space-y-4">
        <Alert tone={summary.tone} title={summary.title}>
          {summary.toChange.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {summary.toChange.map((check) => (
                <li key={check.id}>
                  <a className="underline" href={`#check-${check.id}`}>
                    {check.title}
                  </a>
                  : {check.todo ?? check.summary}
                </li>
              ))}
            </ul>
          )}
        </Alert>
        {checks.map((check) => (
          <section key={check.id} id={`check-${check.id}`}>
          <Card title={check.title} actions={<Badge tone={STATE[check.state].tone}>{STATE[check.state].label}</Badge>}>
            <p className="text-sm">{check.summary}</p>
            {check.facts.length > 0 && (
              <dl className="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
                {check.facts.map(([label, value]) => (
                  <div key={label} className="contents">
                    <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
                    <dd className="break-all font-mono text-xs leading-5">{value}</dd>
                  </div>
                ))}
              </dl>
            )}
            {check.todo && (
              <p className="mt-3 rounded-md bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800">
                <span className="font-medium">What to do: </span>
                {check.todo}
              </p>
            )}
          </Card>
          </section>
        ))}
      </div>
    </>
  );
}
