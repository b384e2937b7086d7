import Link from '@/app/_components/link';
import { Ago, DecisionAndMode, DecisionBadge, Digest, RuleStatusBadge } from '@/app/_components/status';
import { Card, EmptyState, LinkButton, PageHeader, Table, Td } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { formatAge } from '@/lib/console/evidence';
import { awaitingApproval } from '@/lib/console/awaiting-approval';
import { workspaceOverview } from '@/lib/console/overview';
import { listManagedEnvironments } from '@/lib/catalog/store';
import { listRunning } from '@/lib/deployments/store';
import { MatchCells } from '../environments/parts';
import { AwaitingApprovalCard } from './awaiting-approval';
import { WhenAndLinkCells } from './pair-cells';
import { PasswordSavedNotice } from '@/app/_components/password-saved-notice';
import { formatCount } from '@/lib/text/plural';

export const metadata = { title: 'Overview' };

function Stat({ label, value, tone }: { label: string; value: number; tone?: 'red' | 'amber' }) {
  const colour = tone === 'red' && value > 0 ? 'text-red-700 dark:text-red-400' : tone === 'amber' && value > 0 ? 'text-amber-700 dark:text-amber-400' : '';
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-5 py-4 dark:border-slate-800 dark:bg-slate-900">
      <dt className="text-sm text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className={`mt-1 text-3xl font-semibold tabular-nums ${colour}`}>{formatCount(value)}</dd>
    </div>
  );
}

export default async function WorkspaceOverview({ params, searchParams }: { params: Promise<{ workspace: string }>; searchParams: Promise<{ passwordSet?: string }> }) {
  const { workspace: slug } = await params;
  const notice = (await searchParams).passwordSet === '1' ? <PasswordSavedNotice /> : null;
  // Every page checks for itself: a layout's check does not cover a page fetched on its own.
  const { db, workspace, can, actor } = await requireMember(slug, 'passport.read', `/console/${slug}`);
  const now = new Date();
  const overview = await workspaceOverview(db, workspace.id, now);
  const awaiting = await awaitingApproval(db, workspace.id, overview.pairs, actor);
  const base = `/console/${workspace.slug}`;
  // What runs without an allowing passport (the environment board's exceptions), production first.
  const [running, environments] = await Promise.all([listRunning(db, workspace.id), listManagedEnvironments(db, workspace.id)]);
  const production = new Set(environments.filter((environment) => environment.tier === 'production').map((environment) => environment.slug));
  const unallowed = running.filter((view) => view.match.status !== 'passported').sort((a, b) => Number(production.has(b.environment)) - Number(production.has(a.environment)));

  if (overview.pairs.length === 0) {
    return (
      <>
        {notice}
        <PageHeader title={workspace.name} description="Release readiness for every service and environment of this workspace." />
        <EmptyState title="No passports yet">
          <p>Every time CI asks the gate about a release, its passport appears here: the decision, the reasons and the evidence behind them.</p>
          <pre className="mx-auto mt-4 max-w-xl overflow-x-auto rounded-md bg-slate-900 p-4 text-left text-xs text-slate-100" tabIndex={0}>
            {`export RP_URL=<this runtime's URL> RP_TOKEN=<an API token>\nnpx rp gate --service api --environment staging \\\n  --image-digest sha256:… --sbom sbom.json --sarif scan.sarif`}
          </pre>
          <div className="mt-4 flex justify-center gap-2">
            {can('token.manage') ? <LinkButton href={`/settings/${workspace.slug}/tokens`}>Create an API token</LinkButton> : <p>Ask a maintainer or admin for an API token.</p>}
            <LinkButton variant="secondary" href={`${base}/policies`}>
              See the policy
            </LinkButton>
          </div>
        </EmptyState>
      </>
    );
  }

  const changed = overview.pairs.filter((pair) => pair.changes && pair.changes.length > 0);
  return (
    <>
      {notice}
      <PageHeader
        title={workspace.name}
        description="What needs attention now, and what changed since each service's last passport."
        actions={<LinkButton href={`${base}/passports`}>All passports</LinkButton>}
      />
      <dl className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Passports, last 24 h" value={overview.last24h.passports} />
        <Stat label="Denied, last 24 h" value={overview.last24h.denied} tone="red" />
        <Stat label="Need attention now" value={overview.attention.length} tone="red" />
        <Stat label="Stale evidence" value={overview.stale.length} tone="amber" />
      </dl>

      <div className="space-y-6">
        {awaiting.length > 0 && <AwaitingApprovalCard awaiting={awaiting} base={base} now={now} />}
        {unallowed.length > 0 && (
          <Card
            title="Running without an allowing passport"
            description="Images your connectors see and deploys report running, whose digest has no passport that allowed it in that environment (or no digest at all)."
            actions={
              <Link className="text-sm text-brand-700 hover:underline dark:text-brand-100" href={`${base}/environments`}>
                All environments
              </Link>
            }
          >
            <Table caption="Running without an allowing passport" head={['Environment', 'Image', 'Status', 'Passport', 'Since']}>
              {unallowed.slice(0, 10).map((view) => (
                <tr key={view.id}>
                  <Td className="align-top font-medium">{view.environment}</Td>
                  <MatchCells view={view} base={base} />
                  <Td className="align-top whitespace-nowrap">
                    <Ago value={view.firstSeenAt} now={now} />
                  </Td>
                </tr>
              ))}
            </Table>
            {unallowed.length > 10 && <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">{unallowed.length - 10} more on the environments board.</p>}
          </Card>
        )}
        <Card title="Denied and warned releases" description="The latest passport of each service in each environment, where it was not allowed. Whether it blocked depends on the policy's mode, shown beside the decision.">
          {overview.attention.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">Every service&apos;s latest passport is allowed. Nothing needs attention.</p>
          ) : (
            <Table caption="Denied and warned releases" head={['Service', 'Environment', 'Decision', 'Why', 'When', '']}>
              {overview.attention.map((pair) => (
                <tr key={pair.passportId}>
                  <Td className="font-medium">{pair.service}</Td>
                  <Td>{pair.environment}</Td>
                  <Td>
                    <DecisionAndMode decision={pair.decision} mode={pair.mode} blocking={pair.blocking} />
                  </Td>
                  <Td className="max-w-md">
                    <ul className="space-y-1">
                      {pair.failing.slice(0, 3).map((reason) => (
                        <li key={reason.ruleId} className="flex items-start gap-2">
                          <span className="shrink-0">
                            <RuleStatusBadge status={reason.status} />
                          </span>
                          <span>
                            <span className="font-mono text-xs">{reason.ruleId}</span>: {reason.message}
                          </span>
                        </li>
                      ))}
                    </ul>
                  </Td>
                  <WhenAndLinkCells pair={pair} base={base} now={now}>
                    Open<span className="sr-only"> the passport of {pair.service} in {pair.environment}</span>
                  </WhenAndLinkCells>
                </tr>
              ))}
            </Table>
          )}
        </Card>

        <div className="grid gap-6 xl:grid-cols-2">
          <Card title="Stale evidence" description="Evidence behind a latest passport that is now older than the policy allows (or a week, where it sets no limit).">
            {overview.stale.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">All evidence behind the latest passports is within its age limit.</p>
            ) : (
              <Table caption="Stale evidence" head={['Service', 'Kind', 'Age', 'Limit']}>
                {overview.stale.map((item) => (
                  <tr key={`${item.passportId}-${item.kind}-${item.sha256}`}>
                    <Td>
                      <Link className="hover:underline" href={`${base}/passports/${item.passportId}`}>
                        {item.service} · {item.environment}
                      </Link>
                    </Td>
                    <Td>
                      {item.kind} <Digest value={item.sha256} length={8} />
                    </Td>
                    <Td className="whitespace-nowrap text-red-700 dark:text-red-400">{formatAge(item.freshness.ageHours)}</Td>
                    <Td className="whitespace-nowrap text-slate-600 dark:text-slate-400">
                      {formatAge(item.freshness.maxAgeHours)}
                      {item.freshness.limitFrom === 'default' ? ' (default)' : ''}
                    </Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>

          <Card title="What changed" description="Since the passport before, for each service in each environment.">
            {changed.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No service has a second passport yet, or nothing changed between them.</p>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {changed.map((pair) => (
                  <li key={pair.passportId} className="py-3 first:pt-0 last:pb-0">
                    <div className="flex flex-wrap items-center gap-2">
                      <Link className="font-medium hover:underline" href={`${base}/passports/${pair.passportId}`}>
                        {pair.service} · {pair.environment}
                      </Link>
                      <DecisionBadge decision={pair.decision} blocking={pair.blocking} />
                      <span className="text-xs text-slate-500 dark:text-slate-400">
                        <Ago value={pair.evaluatedAt} now={now} />
                      </span>
                    </div>
                    <ul className="mt-1.5 flex flex-wrap gap-1.5">
                      {pair.changes!.map((change) => (
                        <li key={change.text} className="rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">
                          {change.text}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>

        <Card title="Recent decisions" actions={<LinkButton variant="secondary" href={`${base}/passports`}>All passports</LinkButton>}>
          <Table caption="Recent decisions" head={['Service', 'Environment', 'Decision', 'Image', 'When']}>
            {overview.recent.map((row) => (
              <tr key={row.id}>
                <Td>
                  <Link className="font-medium hover:underline" href={`${base}/passports/${row.id}`}>
                    {row.service}
                    <span className="sr-only">
                      {' '}
                      in {row.environment}, passport {row.id.slice(0, 12)}
                    </span>
                  </Link>
                </Td>
                <Td>{row.environment}</Td>
                <Td>
                  <DecisionAndMode decision={row.decision} mode={row.mode} blocking={row.blocking} />
                </Td>
                <Td>
                  <Digest value={row.imageDigest} />
                </Td>
                <Td className="whitespace-nowrap">
                  <Ago value={row.evaluatedAt} now={now} />
                </Td>
              </tr>
            ))}
          </Table>
        </Card>
      </div>
    </>
  );
}
