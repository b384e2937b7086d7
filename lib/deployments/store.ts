/**
 * What runs where (issue 20): observations of the images running in each environment, kept as
 * history, each matched to its passport. Every query takes the workspace id.
 *
 * A source reports snapshots: everything it sees running at one place of one environment (a
 * Kubernetes namespace, an Argo CD application, or for `rp report-deployment` the service, else
 * the repository). An image it keeps seeing stays one row (its stint: first seen, last seen); one
 * it no longer sees is gone; a new one starts a new row. The environment's timeline is these rows.
 *
 * Matching is by the exact digest in the exact environment, nothing looser: an image is
 * "passported" only when the newest passport that counts (not shadow) for that digest in that
 * environment allowed or warned; "drift" when that passport denied, or when there are only shadow
 * passports (shadow never allows anything); "unpassported" without any passport; "unpinned" when
 * the source saw a tag without a digest, which no passport can vouch for.
 *
 * A production environment newly running a digest as drift or without a passport is audited
 * (`deployment.drift`) and notified (`drift.detected`, through the outbox in the same
 * transaction), once while that digest keeps running there.
 */
import { and, asc, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { deployments, environments, passports, releases, services, type Decision, type PolicyMode } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import { environmentOrder } from '@/lib/catalog/store';
import { parseImageReference, type DeploymentSourceKind, type DeploymentStatus } from '@/lib/domain/primitives';
import { ProblemError } from '@/lib/http/problem';
import { enqueueNotifications, environmentUrl, passportUrl, type QueuedNotification } from '@/lib/notifications/events';


/** What people read for each status. */
export const STATUS_LABELS: Record<DeploymentStatus, string> = {
  passported: 'Passported',
  drift: 'Deployed despite a deny',
  unpassported: 'No passport',
  unpinned: 'Unpinned (no digest)',
};

export interface PassportMatch {
  status: DeploymentStatus;
  /** Why, in a sentence. */
  reason: string;
  /** The passport judged (the newest that counts; for "only shadow", the newest shadow one). */
  passport: { id: string; decision: Decision; mode: PolicyMode; service: string; evaluatedAt: string } | null;
}

export interface DeploymentView {
  id: string;
  environment: string;
  source: string;
  sourceKind: DeploymentSourceKind;
  location: string;
  workload: string | null;
  image: string;
  repository: string;
  digest: string | null;
  service: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  goneAt: string | null;
  match: PassportMatch;
}

type Row = typeof deployments.$inferSelect;
interface EnvironmentRef {
  id: string;
  slug: string;
  production: boolean;
}

interface Observed {
  environmentId: string;
  digest: string | null;
  service: string | null;
}
const matchKey = (observed: Observed) => `${observed.environmentId}|${observed.digest}|${observed.service ?? ''}`;

/** The passport match of each digest running in an environment (of the service it names, if it names one). */
async function matchDigests(db: DbOrTx, workspaceId: string, observations: Observed[]): Promise<Map<string, PassportMatch>> {
  const pinned = observations.filter((pair): pair is Observed & { digest: string } => pair.digest !== null);
  const matches = new Map<string, PassportMatch>();
  if (pinned.length === 0) return matches;
  const rows = await db
    .select({
      id: passports.id,
      environmentId: passports.environmentId,
      digest: releases.imageDigest,
      decision: passports.decision,
      mode: passports.mode,
      service: services.slug,
      evaluatedAt: passports.evaluatedAt,
    })
    .from(passports)
    .innerJoin(releases, and(eq(releases.workspaceId, passports.workspaceId), eq(releases.id, passports.releaseId)))
    .innerJoin(services, and(eq(services.workspaceId, passports.workspaceId), eq(services.id, passports.serviceId)))
    .where(
      and(
        eq(passports.workspaceId, workspaceId),
        inArray(passports.environmentId, [...new Set(pinned.map((pair) => pair.environmentId))]),
        inArray(releases.imageDigest, [...new Set(pinned.map((pair) => pair.digest))]),
      ),
    )
    .orderBy(desc(passports.evaluatedAt), desc(passports.createdAt), desc(passports.id));
  for (const pair of pinned) {
    // Exactly this digest in exactly this environment (of exactly this service): the only claim a passport supports.
    const found = rows.filter((row) => row.environmentId === pair.environmentId && row.digest === pair.digest && (pair.service === null || row.service === pair.service));
    matches.set(matchKey(pair), judge(found, pair.service));
  }
  return matches;
}

function judge(found: Array<{ id: string; decision: Decision; mode: PolicyMode; service: string; evaluatedAt: Date }>, service: string | null): PassportMatch {
  const view = (row: (typeof found)[number]) => ({ id: row.id, decision: row.decision, mode: row.mode, service: row.service, evaluatedAt: row.evaluatedAt.toISOString() });
  if (found.length === 0) return { status: 'unpassported', reason: `no passport for this digest${service ? ` of service ${service}` : ''} in this environment`, passport: null };
  const counted = found.find((row) => row.mode !== 'shadow');
  if (!counted) return { status: 'drift', reason: 'only shadow-mode passports: shadow records a decision, it never allows a release', passport: view(found[0]!) };
  if (counted.decision === 'deny') return { status: 'drift', reason: `the latest passport (${counted.mode}) denied it`, passport: view(counted) };
  return { status: 'passported', reason: `the latest passport (${counted.mode}) ${counted.decision === 'allow' ? 'allowed' : 'allowed it with warnings'}`, passport: view(counted) };
}

const UNPINNED: PassportMatch = { status: 'unpinned', reason: 'a tag without a digest: only a digest says what runs, so no passport can vouch for it', passport: null };

function views(rows: Array<Row & { environment: string }>, matches: Map<string, PassportMatch>): DeploymentView[] {
  return rows.map((row) => ({
    id: row.id,
    environment: row.environment,
    source: row.source,
    sourceKind: row.sourceKind as DeploymentSourceKind,
    location: row.location,
    workload: row.workload || null,
    image: row.image,
    repository: row.repository,
    digest: row.digest,
    service: row.service,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    goneAt: row.goneAt?.toISOString() ?? null,
    match: row.digest ? matches.get(matchKey(row))! : UNPINNED,
  }));
}

async function withMatches(db: DbOrTx, workspaceId: string, rows: Array<Row & { environment: string }>): Promise<DeploymentView[]> {
  return views(rows, await matchDigests(db, workspaceId, rows));
}

/** What runs now: every open observation of the workspace (or of these environments, or of this digest), in promotion order. */
export async function listRunning(db: DbOrTx, workspaceId: string, options: { environmentIds?: readonly string[]; digest?: string } = {}): Promise<DeploymentView[]> {
  if (options.environmentIds && options.environmentIds.length === 0) return [];
  const rows = await db
    .select({ row: deployments, environment: environments.slug })
    .from(deployments)
    .innerJoin(environments, and(eq(environments.workspaceId, deployments.workspaceId), eq(environments.id, deployments.environmentId)))
    .where(
      and(
        eq(deployments.workspaceId, workspaceId),
        isNull(deployments.goneAt),
        options.environmentIds ? inArray(deployments.environmentId, [...options.environmentIds]) : undefined,
        options.digest ? eq(deployments.digest, options.digest) : undefined,
      ),
    )
    .orderBy(...environmentOrder, asc(deployments.location), asc(deployments.workload), asc(deployments.image))
    .limit(2000);
  return withMatches(
    db,
    workspaceId,
    rows.map(({ row, environment }) => ({ ...row, environment })),
  );
}

export interface TimelineEvent {
  kind: 'deployed' | 'replaced' | 'gone';
  at: string;
  deployment: DeploymentView;
  /** For "replaced": what it replaced at the same place. */
  replaced?: DeploymentView;
}

/**
 * An environment's history, newest first: each image deployed (or replacing the one the same
 * source saw at the same place until that moment) and each one gone. The status is the match as of
 * now. The newest `limit` stints.
 */
export async function environmentTimeline(db: DbOrTx, workspaceId: string, environment: { id: string; slug: string }, limit = 200): Promise<TimelineEvent[]> {
  const rows = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.environmentId, environment.id)))
    .orderBy(desc(deployments.firstSeenAt), desc(deployments.id))
    .limit(limit);
  const stints = await withMatches(
    db,
    workspaceId,
    rows.map((row) => ({ ...row, environment: environment.slug })),
  );
  const place = (view: DeploymentView) => `${view.source}\u0000${view.location}\u0000${view.workload ?? ''}`;
  const replacedBy = new Map<string, DeploymentView>();
  const events: TimelineEvent[] = [];
  for (const stint of stints) {
    const before = stints.find((other) => other !== stint && other.goneAt === stint.firstSeenAt && place(other) === place(stint) && !replacedBy.has(other.id));
    if (before) replacedBy.set(before.id, stint);
    events.push(before ? { kind: 'replaced', at: stint.firstSeenAt, deployment: stint, replaced: before } : { kind: 'deployed', at: stint.firstSeenAt, deployment: stint });
  }
  for (const stint of stints) if (stint.goneAt && !replacedBy.has(stint.id)) events.push({ kind: 'gone', at: stint.goneAt, deployment: stint });
  // Newest first; at one moment, what went after what came, then by place: the same order every time.
  const spot = (event: TimelineEvent) => `${event.deployment.location}\u0000${event.deployment.workload ?? ''}\u0000${event.deployment.image}`;
  return events.sort(
    (a, b) => b.at.localeCompare(a.at) || Number(a.kind === 'gone') - Number(b.kind === 'gone') || spot(a).localeCompare(spot(b)),
  );
}

/** One image a source sees running. */
export interface ObservedImage {
  image: string;
  /** The deployment/container it runs as, when the source names one. */
  workload?: string;
  service?: string | null;
}

export interface Snapshot {
  workspace: { id: string; slug: string };
  environment: EnvironmentRef;
  source: string;
  sourceKind: DeploymentSourceKind;
  location: string;
  images: readonly ObservedImage[];
  at: Date;
  audit: AuditContext;
}

export interface SnapshotResult {
  /** What runs at this place now, as recorded. */
  running: DeploymentView[];
  /** Images newly seen at this place. */
  started: DeploymentView[];
  /** Images seen before and still running. */
  kept: number;
  /** Images no longer seen (gone, or replaced). */
  gone: number;
  /** References that are not image references (a source's oddities), left out. */
  skipped: string[];
  /** Drift notified by this snapshot (production only). */
  drift: DeploymentView[];
}

const placeKey = (workload: string, image: string) => `${workload}\u0000${image}`;

/**
 * Records what one source sees at one place of an environment, as of `at`: the history, and drift
 * (audited and notified in the same transaction). Observations of one environment are recorded one
 * at a time, so two sources seeing the same new digest notify it once.
 */
export async function recordSnapshot(db: RuntimeDb, snapshot: Snapshot): Promise<SnapshotResult> {
  const { workspace, environment, at } = snapshot;
  const wanted = new Map<string, { workload: string; image: string; repository: string; digest: string | null; service: string | null }>();
  const skipped: string[] = [];
  for (const observed of snapshot.images) {
    const reference = parseImageReference(observed.image);
    if (!reference) {
      skipped.push(observed.image);
      continue;
    }
    const workload = observed.workload ?? '';
    wanted.set(placeKey(workload, observed.image), { workload, image: observed.image, repository: reference.repository, digest: reference.digest, service: observed.service ?? null });
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rp.deployments:${environment.id}`}, 0))`);
    const open = await tx
      .select()
      .from(deployments)
      .where(
        and(
          eq(deployments.workspaceId, workspace.id),
          eq(deployments.environmentId, environment.id),
          eq(deployments.sourceKind, snapshot.sourceKind),
          eq(deployments.source, snapshot.source),
          eq(deployments.location, snapshot.location),
          isNull(deployments.goneAt),
        ),
      );
    const kept = open.filter((row) => wanted.has(placeKey(row.workload, row.image)));
    const gone = open.filter((row) => !wanted.has(placeKey(row.workload, row.image)));
    const mine = (ids: string[]) => and(eq(deployments.workspaceId, workspace.id), inArray(deployments.id, ids));
    if (kept.length) await tx.update(deployments).set({ lastSeenAt: at }).where(mine(kept.map((row) => row.id)));
    if (gone.length) await tx.update(deployments).set({ goneAt: at }).where(mine(gone.map((row) => row.id)));
    const openKeys = new Set(open.map((row) => placeKey(row.workload, row.image)));
    const fresh = [...wanted].filter(([key]) => !openKeys.has(key)).map(([, value]) => value);
    const inserted = fresh.length
      ? await tx
          .insert(deployments)
          .values(
            fresh.map((image) => ({
              workspaceId: workspace.id,
              environmentId: environment.id,
              source: snapshot.source,
              sourceKind: snapshot.sourceKind,
              location: snapshot.location,
              ...image,
              firstSeenAt: at,
              lastSeenAt: at,
            })),
          )
          .onConflictDoNothing()
          .returning()
      : [];
    const insertedIds = new Set(inserted.map((row) => row.id));
    const running = await withMatches(
      tx,
      workspace.id,
      [...kept, ...inserted].map((row) => ({ ...row, lastSeenAt: at, environment: environment.slug })),
    );
    const started = running.filter((view) => insertedIds.has(view.id));
    const drift = environment.production ? await notifyDrift(tx, snapshot, started) : [];
    return { running, started, kept: kept.length, gone: gone.length, skipped, drift };
  });
}

/** Audits and notifies each newly running digest of a production environment without an allowing passport, unless it already ran there. */
async function notifyDrift(tx: DbOrTx, snapshot: Snapshot, started: DeploymentView[]): Promise<DeploymentView[]> {
  const { workspace, environment } = snapshot;
  const candidates = started.filter((view) => view.digest && (view.match.status === 'drift' || view.match.status === 'unpassported'));
  if (candidates.length === 0) return [];
  const digests = [...new Set(candidates.map((view) => view.digest!))];
  const alreadyRunning = await tx
    .select({ digest: deployments.digest })
    .from(deployments)
    .where(
      and(
        eq(deployments.workspaceId, workspace.id),
        eq(deployments.environmentId, environment.id),
        isNull(deployments.goneAt),
        inArray(deployments.digest, digests),
        notInArray(
          deployments.id,
          started.map((view) => view.id),
        ),
      ),
    );
  const known = new Set(alreadyRunning.map((row) => row.digest));
  const notified: DeploymentView[] = [];
  const queued: QueuedNotification[] = [];
  for (const view of candidates) {
    if (known.has(view.digest)) continue;
    known.add(view.digest);
    const what = view.match.status === 'drift' ? 'deployed despite a deny' : 'deployed without a passport';
    const where = `${view.location}${view.workload ? ` (${view.workload})` : ''}`;
    const message = `${environment.slug} runs ${view.image}, ${what}: ${view.match.reason}. Seen by ${view.source} at ${where}.`;
    await appendAuditEvent(tx, {
      ...snapshot.audit,
      workspaceId: workspace.id,
      action: 'deployment.drift',
      resource: { type: 'environment', id: environment.slug },
      outcome: 'allow',
      reason: message,
      details: { image: view.image, digest: view.digest, status: view.match.status, passport: view.match.passport?.id ?? null, source: view.source, location: view.location, workload: view.workload },
    });
    queued.push({
      event: 'drift.detected',
      dedupe: `drift.detected:${view.id}`,
      payload: {
        type: 'drift.detected',
        timestamp: view.firstSeenAt,
        data: {
          workspace: workspace.slug,
          environment: environment.slug,
          ...(view.match.passport ? { service: view.match.passport.service, passport: { id: view.match.passport.id, url: passportUrl(workspace.slug, view.match.passport.id) } } : {}),
          deployment: {
            image: view.image,
            digest: view.digest!,
            source: view.source,
            location: view.location,
            workload: view.workload,
            status: view.match.status,
            reason: view.match.reason,
            consoleUrl: environmentUrl(workspace.slug, environment.slug),
          },
          message,
        },
      },
    });
    notified.push(view);
  }
  if (notified.length) {
    await tx
      .update(deployments)
      .set({ driftNotifiedAt: snapshot.at })
      .where(
        and(
          eq(deployments.workspaceId, workspace.id),
          inArray(
            deployments.id,
            notified.map((view) => view.id),
          ),
        ),
      );
    await enqueueNotifications(tx, workspace.id, queued);
  }
  return notified;
}

/** An environment of the workspace by slug (archived ones too), or null. */
export async function findEnvironmentRef(db: DbOrTx, workspaceId: string, slug: string): Promise<(EnvironmentRef & { name: string; archived: boolean }) | null> {
  const [row] = await db
    .select({ id: environments.id, slug: environments.slug, name: environments.name, production: environments.production, archivedAt: environments.archivedAt })
    .from(environments)
    .where(and(eq(environments.workspaceId, workspaceId), eq(environments.slug, slug)));
  return row ? { id: row.id, slug: row.slug, name: row.name, production: row.production, archived: row.archivedAt !== null } : null;
}

/** An environment of the workspace by slug (archived ones too), or a 404 that says what to do. */
export async function environmentOf(db: DbOrTx, workspaceId: string, slug: string): Promise<EnvironmentRef & { name: string; archived: boolean }> {
  const found = await findEnvironmentRef(db, workspaceId, slug);
  if (!found) throw new ProblemError('not-found', `This workspace has no environment "${slug}". Check the name, or create it first (rp environments create ${slug}).`);
  return found;
}

/**
 * An `rp report-deployment` call: `image` runs in the environment now, for `service` if named. It
 * replaces what an earlier report said runs at the same place: the service, else the repository.
 */
export async function reportDeployment(
  db: RuntimeDb,
  workspace: { id: string; slug: string },
  environmentSlug: string,
  report: { image: string; service?: string | null },
  audit: AuditContext,
  at = new Date(),
): Promise<SnapshotResult & { deployment: DeploymentView }> {
  const environment = await environmentOf(db, workspace.id, environmentSlug);
  if (environment.archived) {
    throw new ProblemError('conflict', `Environment "${environment.slug}" is archived. Unarchive it (rp environments update ${environment.slug} --unarchive) before reporting what runs there.`);
  }
  const reference = parseImageReference(report.image);
  if (!reference) throw new ProblemError('validation-failed', `"${report.image}" is not an image reference.`, { errors: [{ path: 'image', message: 'not an image reference' }] });
  const service = report.service ?? null;
  const result = await recordSnapshot(db, {
    workspace,
    environment,
    source: 'report',
    sourceKind: 'report',
    location: service ?? reference.repository,
    images: [{ image: report.image, service }],
    at,
    audit,
  });
  return { ...result, deployment: result.running[0]! };
}
