/** How the environment board and timeline show a running image: the same words and colours on both. */
import Link from '@/app/_components/link';
import { Ago, DecisionBadge, Digest } from '@/app/_components/status';
import { Badge, Td } from '@/app/_components/ui';
import { STATUS_LABELS, type DeploymentView } from '@/lib/deployments/store';
import type { DeploymentStatus } from '@/lib/domain/primitives';

const TONE: Record<DeploymentStatus, 'green' | 'amber' | 'red'> = { passported: 'green', drift: 'red', unpassported: 'red', unpinned: 'amber' };

/** The status badge (never colour alone: it says what it means) and why, in a sentence. */
function DeploymentStatusCell({ view }: { view: DeploymentView }) {
  return (
    <>
      <Badge tone={TONE[view.match.status]}>{STATUS_LABELS[view.match.status]}</Badge>
      <span className="mt-1 block max-w-xs text-xs text-slate-500 dark:text-slate-400">{view.match.reason}</span>
    </>
  );
}

/** Repository, then the digest (or the tag, said to be unpinned), then the service when named. */
function ImageCell({ view }: { view: DeploymentView }) {
  const tag = view.digest ? null : view.image.slice(view.repository.length).replace(/^:/, '') || 'latest';
  return (
    <>
      <span className="block break-all font-medium">{view.repository}</span>
      {view.digest ? <Digest value={view.digest} /> : <code className="font-mono text-xs">tag {tag}</code>}
      {view.service && <span className="block text-xs text-slate-500 dark:text-slate-400">service {view.service}</span>}
    </>
  );
}

/** The passport judged: its decision, linked (the link is named by the passport, so two links of one name go to one place). */
function PassportCell({ view, base }: { view: DeploymentView; base: string }) {
  const passport = view.match.passport;
  if (!passport) {
    return (
      <span className="text-slate-500 dark:text-slate-400">
        <span aria-hidden="true">—</span>
        <span className="sr-only">no passport</span>
      </span>
    );
  }
  return (
    <Link href={`${base}/passports/${passport.id}`} className="group block">
      <DecisionBadge decision={passport.decision} /> <span className="text-xs text-slate-500 dark:text-slate-400">{passport.mode}</span>
      <span className="mt-1 block font-mono text-xs group-hover:underline">
        <span className="sr-only">passport </span>
        {passport.id.slice(0, 12)}
        <span aria-hidden="true">…</span>
        <span className="sr-only">{passport.id.slice(12)}</span>
      </span>
    </Link>
  );
}

/** Which source saw it, where. */
export function SourceCell({ view }: { view: DeploymentView }) {
  const where = view.sourceKind === 'kubernetes' ? 'namespace' : view.sourceKind === 'argocd' ? 'application' : 'at';
  return (
    <>
      <span className="block">{view.sourceKind === 'report' ? 'rp report-deployment' : `${view.source} (${view.sourceKind === 'argocd' ? 'Argo CD' : 'Kubernetes'})`}</span>
      <span className="block text-xs text-slate-500 dark:text-slate-400">
        {where} {view.location}
        {view.workload ? `, ${view.workload}` : ''}
      </span>
    </>
  );
}

export function SeenCell({ view, now }: { view: DeploymentView; now: Date }) {
  return (
    <>
      <span className="block whitespace-nowrap">
        since <Ago value={view.firstSeenAt} now={now} />
      </span>
      <span className="block whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">
        last seen <Ago value={view.lastSeenAt} now={now} />
      </span>
    </>
  );
}

/** The image, its status and its passport: three cells of a row, the same on the board and the timeline. */
export function MatchCells({ view, base }: { view: DeploymentView; base: string }) {
  return (
    <>
      <Td className="align-top">
        <ImageCell view={view} />
      </Td>
      <Td className="align-top">
        <DeploymentStatusCell view={view} />
      </Td>
      <Td className="align-top">
        <PassportCell view={view} base={base} />
      </Td>
    </>
  );
}
