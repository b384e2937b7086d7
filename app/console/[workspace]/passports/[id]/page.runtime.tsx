import type { Metadata } from 'next';
import Link from '@/app/_components/link';
import { notFound } from 'next/navigation';
import { Ago, DecisionBadge, EnvironmentName, Fact, ModeBadge } from '@/app/_components/status';
import { Alert, buttonClass, Card, PageHeader, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { passportView } from '@/lib/console/passport-detail';
import { findEnvironmentRef, listRunning } from '@/lib/deployments/store';
import { modeNote } from '@/lib/gate/evaluate';
import { plural } from '@/lib/text/plural';
import { EvidenceCard } from './evidence-card';
import { RequestedBy } from './requested-by';
import { ApprovalsCard } from './approvals-card';
import { CommentsCard, SignatureCard } from './sign-off';
import { WhyCard } from './why-card';

export const metadata: Metadata = { title: 'Passport' };

export default async function PassportPage({ params }: { params: Promise<{ workspace: string; id: string }> }) {
  const { workspace: slug, id } = await params;
  const { db, workspace, can, user } = await requireMember(slug, 'passport.read', `/console/${slug}/passports/${id}`);
  const now = new Date();
  const view = await passportView(db, workspace, id, now);
  if (!view) notFound();
  const base = `/console/${workspace.slug}`;
  const failing = view.reasons.filter((reason) => reason.effect !== 'none');
  const denying = failing.filter((reason) => reason.effect === 'deny');
  const newest = view.history[0];
  // Whether this digest runs in the passport's environment now (the environment board's observations).
  const environment = await findEnvironmentRef(db, workspace.id, view.release.environment);
  const running = environment ? await listRunning(db, workspace.id, { environmentIds: [environment.id], digest: view.release.imageDigest }) : [];
  const title = `${view.release.service} → ${view.release.environment}`;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600 dark:text-slate-400">
        <Link className="hover:underline" href={`${base}/passports`}>
          Passports
        </Link>{' '}
        / <span aria-current="page">{view.id.slice(0, 12)}…</span>
      </nav>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {title}
            <DecisionBadge decision={view.decision} blocking={view.blocking} />
            <ModeBadge mode={view.mode} />
          </span>
        }
        description={
          <>
            Evaluated <Time value={view.evaluatedAt} /> (<Ago value={view.evaluatedAt} now={now} />) by {view.actor ?? 'an unknown caller'}.
          </>
        }
        actions={
          // File downloads from the API, not pages: plain links.
          <div className="flex flex-wrap gap-2">
            <a className={buttonClass('secondary')} href={`/api/v1/workspaces/${workspace.slug}/passports/${view.id}/envelope`} download>
              Download signed passport
            </a>
            <a className={buttonClass('secondary')} href={`/api/v1/workspaces/${workspace.slug}/passports/${view.id}/vsa`} download>
              Download SLSA VSA
            </a>
          </div>
        }
      />

      <div className="space-y-6">
        {view.blocking && (
          <Alert tone="error" title="This release is blocked">
            The policy is enforced and {plural(denying.length, 'rule')} denied it: {denying.map((reason) => reason.ruleId).join(', ')}. CI stopped the release.
          </Alert>
        )}
        {!view.blocking && view.decision === 'deny' && (
          <Alert tone="warning" title={`Denied, but not blocked (${view.mode} mode)`}>
            In enforce mode this release would have been stopped.
          </Alert>
        )}
        {/* The mode's own note says what the alert above already says. */}
        {view.notes.filter((note) => note !== modeNote(view.mode, view.decision)).map((note) => (
          <Alert key={note} tone="info">
            {note}
          </Alert>
        ))}
        {newest && newest.id !== view.id && (
          <Alert tone="info" title="A newer passport exists for this release">
            <Link className="underline" href={`${base}/passports/${newest.id}`}>
              See the passport of <Time value={newest.evaluatedAt} /> ({newest.decision})
            </Link>
          </Alert>
        )}

        <Card title="Release">
          <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <Fact label="Service">{view.release.service}</Fact>
            <Fact label="Environment">
              <EnvironmentName name={view.release.environment} production={view.release.production} />
            </Fact>
            <Fact label="Chart version">{view.release.chartVersion ?? '—'}</Fact>
            <Fact label="Source commit">
              <code className="break-all font-mono text-xs">{view.release.sourceSha}</code>
            </Fact>
            <Fact label="Image digest">
              <code className="break-all font-mono text-xs">{view.release.imageDigest}</code>
            </Fact>
            <Fact label={`Running in ${view.release.environment} now`}>
              {running.length > 0 ? (
                <>
                  yes, since <Ago value={running.map((seen) => seen.firstSeenAt).sort()[0]!} now={now} /> ({[...new Set(running.map((seen) => seen.source))].join(', ')})
                </>
              ) : (
                'not seen running'
              )}{' '}
              <Link className="block text-brand-700 hover:underline dark:text-brand-100" href={`${base}/environments/${encodeURIComponent(view.release.environment)}`}>
                Timeline of {view.release.environment}
              </Link>
            </Fact>
            <Fact label="Policy">
              <Link className="text-brand-700 hover:underline dark:text-brand-100" href={`${base}/policies/${view.policy.id}`}>
                {view.policy.name} v{view.policy.version}
              </Link>{' '}
              ({view.policy.mode})
              {view.policy.currentVersion !== null && view.policy.currentVersion !== view.policy.version && (
                <span className="block text-xs text-amber-700 dark:text-amber-400">The policy is at v{view.policy.currentVersion} now.</span>
              )}
            </Fact>
            <Fact label="Passport id (sha256 of the signed payload)">
              <code className="break-all font-mono text-xs">{view.id}</code>
            </Fact>
            <Fact label="Input hash">
              <code className="break-all font-mono text-xs">{view.inputHash}</code>
            </Fact>
            <Fact label="Requested mode">{view.requestedMode}</Fact>
            <RequestedBy requester={view.requestedBy} fallback={view.actor} />
          </dl>
        </Card>

        <WhyCard view={view} />

        <EvidenceCard view={view} now={now} />

        <div className="grid gap-6 lg:grid-cols-2">
          <SignatureCard view={view} workspaceSlug={workspace.slug} />
          <ApprovalsCard view={view} workspaceSlug={workspace.slug} canApprove={can('approval.write')} canEvaluate={can('gate.evaluate')} userId={user.id} now={now} />
        </div>

        <CommentsCard view={view} workspaceSlug={workspace.slug} canComment={can('comment.write')} now={now} />

        {view.previousRelease && (
          <p className="text-sm">
            <Link className="text-brand-700 hover:underline dark:text-brand-100" href={comparePath(base, view.previousRelease, view)}>
              Compare with the previous release of {view.release.service} in {view.release.environment}
            </Link>{' '}
            <span className="text-slate-600 dark:text-slate-400">
              (judged <Time value={view.previousRelease.evaluatedAt} />, <DecisionBadge decision={view.previousRelease.decision} />)
            </span>
          </p>
        )}

        {view.history.length > 1 && (
          <Card title="Other passports of this release" description="The same service, environment, source, image and chart, judged again.">
            <ul className="space-y-1 text-sm">
              {view.history.map((other) => (
                <li key={other.id}>
                  {other.id === view.id ? (
                    <span aria-current="page" className="font-medium">
                      This passport
                    </span>
                  ) : (
                    <Link className="text-brand-700 hover:underline dark:text-brand-100" href={`${base}/passports/${other.id}`}>
                      <Time value={other.evaluatedAt} />
                    </Link>
                  )}{' '}
                  <DecisionBadge decision={other.decision} /> <ModeBadge mode={other.mode} />
                  {other.id !== view.id && (
                    <Link className="ml-2 text-xs text-brand-700 hover:underline dark:text-brand-100" href={comparePath(base, other, view)}>
                      compare<span className="sr-only"> the passport of <Time value={other.evaluatedAt} /> with this one</span>
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          </Card>
        )}
      </div>
    </>
  );
}

/** The comparison page, the earlier of the two passports first. */
function comparePath(base: string, other: { id: string; evaluatedAt: Date | string }, view: { id: string; evaluatedAt: Date | string }): string {
  const [earlier, later] = new Date(other.evaluatedAt) <= new Date(view.evaluatedAt) ? [other.id, view.id] : [view.id, other.id];
  return `${base}/passports/compare?a=${earlier}&b=${later}`;
}
