/**
 * What a notification says, and when one is due. Events are enqueued in the transaction that
 * records what happened (an outbox: no decision without its notifications, no notification of a
 * decision that rolled back), as rows of notification_deliveries for every enabled endpoint of
 * the workspace subscribed to the event; the worker delivers them (./deliver.ts).
 *
 * - `release.blocked`: a gate decision that stops CI (enforce mode, deny);
 * - `approval.requested`: a decision whose approvals rule failed for want of approvals (not for
 *   a rejection) and counts (advisory or enforce): the release awaits a sign-off. Sent once per
 *   release and endpoint, however often the release is judged again;
 * - `approval.approved` / `approval.rejected`: a person signed the release off in the console.
 * - `drift.detected`: a production environment newly runs an image digest deployed despite a
 *   deny (or only shadow passports) or without any passport (lib/deployments/store.ts); once per
 *   digest and environment while it keeps running.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { environments, gateDecisions, passports, releases, services } from '@/db/schema/runtime';
import { publicBaseUrl } from '@/lib/auth/settings';
import type { DeliveryEvent, NotificationEvent, Role } from '@/lib/domain/primitives';
import type { RuleResult } from '@/lib/gate/evaluate';
import { approvalsRequired } from '@/lib/gate/rules/process';

export interface NotificationPayload {
  type: DeliveryEvent;
  /** When it happened (ISO 8601). */
  timestamp: string;
  data: {
    workspace: string;
    service?: string;
    environment?: string;
    release?: { version: string; sourceSha: string; imageDigest: string; chartVersion: string | null };
    passport?: { id: string; url: string };
    decision?: { decision: string; mode: string; blocking: boolean };
    failingRules?: Array<{ id: string; type: string; status: string; effect: string; message: string }>;
    signOff?: { kind: 'approval' | 'rejection'; by: { name: string; email: string; role: Role }; note: string | null };
    /** drift.detected: what runs, where, as which source saw it, and why it is drift. */
    deployment?: { image: string; digest: string; source: string; location: string; workload: string | null; status: string; reason: string; consoleUrl: string };
    message?: string;
  };
}

export interface QueuedNotification {
  event: NotificationEvent;
  payload: NotificationPayload;
  /** One delivery per endpoint and key (approval.requested: one per release). */
  dedupe: string | null;
}

/** The console page of a passport, as people open it from a message. */
export function passportUrl(workspaceSlug: string, passportId: string): string {
  return `${publicBaseUrl().replace(/\/+$/, '')}/console/${encodeURIComponent(workspaceSlug)}/passports/${passportId}`;
}

/** The console page of an environment's timeline, as people open it from a drift message. */
export function environmentUrl(workspaceSlug: string, environment: string): string {
  return `${publicBaseUrl().replace(/\/+$/, '')}/console/${encodeURIComponent(workspaceSlug)}/environments/${encodeURIComponent(environment)}`;
}

/** A release's version as people say it: its chart version, else the commit's first 12 characters. */
function releaseOf(release: { sourceSha: string; imageDigest: string; chartVersion: string | null }): NonNullable<NotificationPayload['data']['release']> {
  return { version: release.chartVersion ?? release.sourceSha.slice(0, 12), sourceSha: release.sourceSha, imageDigest: release.imageDigest, chartVersion: release.chartVersion };
}

/** Rules whose result counts against the release (warned or denied). */
function failingRules(reasons: readonly Pick<RuleResult, 'ruleId' | 'type' | 'status' | 'effect' | 'message'>[]) {
  return reasons.filter((reason) => reason.status !== 'pass' && reason.effect !== 'none').map((reason) => ({ id: reason.ruleId, type: reason.type, status: reason.status, effect: reason.effect, message: reason.message }));
}

function awaitsApproval(reasons: readonly RuleResult[]): boolean {
  return reasons.some(
    (reason) =>
      reason.type === approvalsRequired.type &&
      reason.status === 'fail' &&
      reason.effect !== 'none' &&
      // A rejected release does not await approval: it awaits the rejection's withdrawal.
      !(reason.measured && typeof reason.measured === 'object' && !Array.isArray(reason.measured) && 'rejections' in reason.measured),
  );
}

export interface DecisionFacts {
  workspace: string;
  service: string;
  environment: string;
  releaseId: string;
  release: { sourceSha: string; imageDigest: string; chartVersion: string | null };
  passportId: string;
  decision: string;
  mode: string;
  blocking: boolean;
  reasons: RuleResult[];
  at: string;
}

/** The notifications a gate decision is due to send (often none). */
export function decisionNotifications(facts: DecisionFacts): QueuedNotification[] {
  const payload = (type: NotificationEvent): NotificationPayload => ({
    type,
    timestamp: facts.at,
    data: {
      workspace: facts.workspace,
      service: facts.service,
      environment: facts.environment,
      release: releaseOf(facts.release),
      passport: { id: facts.passportId, url: passportUrl(facts.workspace, facts.passportId) },
      decision: { decision: facts.decision, mode: facts.mode, blocking: facts.blocking },
      failingRules: failingRules(facts.reasons),
    },
  });
  const queued: QueuedNotification[] = [];
  if (facts.blocking) queued.push({ event: 'release.blocked', payload: payload('release.blocked'), dedupe: null });
  if (facts.decision !== 'allow' && awaitsApproval(facts.reasons)) {
    queued.push({ event: 'approval.requested', payload: payload('approval.requested'), dedupe: `approval.requested:${facts.releaseId}` });
  }
  return queued;
}

/**
 * The delivery rows for `notifications` (JSON text of QueuedNotification[]), one per enabled
 * endpoint of the workspace subscribed to each: a statement to run in the recording transaction
 * (or as a common table expression of the gate's one statement).
 */
export function enqueueSql(workspaceId: SQL | string, notificationsJson: SQL | string): SQL {
  return sql`insert into notification_deliveries (workspace_id, endpoint_id, event, payload, dedupe_key)
    select endpoint.workspace_id, endpoint.id, queued.event, queued.payload, queued.dedupe
    from notification_endpoints endpoint
    cross join jsonb_to_recordset(${notificationsJson}::text::jsonb) as queued(event text, payload jsonb, dedupe text)
    where endpoint.workspace_id = ${workspaceId}::uuid and endpoint.enabled and queued.event = any(endpoint.events)
    on conflict do nothing`;
}

/** Enqueues notifications in the caller's transaction (the approval's, the rejection's). */
export async function enqueueNotifications(tx: Pick<RuntimeDb, 'execute'>, workspaceId: string, notifications: QueuedNotification[]): Promise<void> {
  if (notifications.length === 0) return;
  await tx.execute(enqueueSql(workspaceId, JSON.stringify(notifications)));
}

/** A sign-off's notification: the passport it was given on, who gave it and the note. */
export async function signOffNotification(
  db: RuntimeDb,
  workspace: { id: string; slug: string },
  passportId: string,
  signOff: NonNullable<NotificationPayload['data']['signOff']>,
): Promise<QueuedNotification> {
  const [row] = await db
    .select({
      service: services.slug,
      environment: environments.slug,
      sourceSha: releases.sourceSha,
      imageDigest: releases.imageDigest,
      chartVersion: releases.chartVersion,
      decision: passports.decision,
      mode: passports.mode,
      blocking: passports.blocking,
      reasons: gateDecisions.reasons,
    })
    .from(passports)
    .innerJoin(releases, and(eq(releases.workspaceId, workspace.id), eq(releases.id, passports.releaseId)))
    .innerJoin(services, and(eq(services.workspaceId, workspace.id), eq(services.id, passports.serviceId)))
    .innerJoin(environments, and(eq(environments.workspaceId, workspace.id), eq(environments.id, passports.environmentId)))
    .innerJoin(gateDecisions, and(eq(gateDecisions.workspaceId, workspace.id), eq(gateDecisions.id, passports.decisionId)))
    .where(and(eq(passports.workspaceId, workspace.id), eq(passports.id, passportId)));
  if (!row) throw new Error(`passport ${passportId} vanished while it was signed off`);
  const event: NotificationEvent = signOff.kind === 'approval' ? 'approval.approved' : 'approval.rejected';
  return {
    event,
    dedupe: null,
    payload: {
      type: event,
      timestamp: new Date().toISOString(),
      data: {
        workspace: workspace.slug,
        service: row.service,
        environment: row.environment,
        release: releaseOf(row),
        passport: { id: passportId, url: passportUrl(workspace.slug, passportId) },
        decision: { decision: row.decision, mode: row.mode, blocking: row.blocking },
        failingRules: failingRules((row.reasons as RuleResult[] | null) ?? []),
        signOff,
      },
    },
  };
}

/** The test event of the settings page's "Send test event". */
export function pingPayload(workspace: string, by: string): NotificationPayload {
  return { type: 'ping', timestamp: new Date().toISOString(), data: { workspace, message: `Test event from Release Passport, sent by ${by}.` } };
}

const TITLES: Record<DeliveryEvent, string> = {
  'release.blocked': 'Release blocked',
  'approval.requested': 'Approval requested',
  'approval.approved': 'Release approved',
  'approval.rejected': 'Release rejected',
  'drift.detected': 'Drift detected',
  ping: 'Test event',
};

/** Slack's mrkdwn needs &, < and > escaped in text it should show as is. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A Slack incoming-webhook message: `text` (the notification's fallback) and Block Kit blocks. */
export function slackMessage(payload: NotificationPayload): { text: string; blocks: unknown[] } {
  const { data } = payload;
  const title = TITLES[payload.type];
  if (payload.type === 'ping' || !data.release) {
    const text = `${title} (${data.workspace}): ${data.message ?? ''}`.trim();
    const link = data.deployment ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open environment' }, url: data.deployment.consoleUrl }] }] : [];
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(title)}* · ${escapeSlack(data.workspace)}\n${escapeSlack(data.message ?? '')}` } }, ...link] };
  }
  const subject = `${data.service} ${data.release.version} → ${data.environment}`;
  const lines = [`*${escapeSlack(title)}*: ${escapeSlack(subject)} (decision: ${data.decision?.decision}${data.decision?.blocking ? ', blocking' : ''})`];
  if (data.signOff) lines.push(`${data.signOff.kind === 'approval' ? 'Approved' : 'Rejected'} by ${escapeSlack(data.signOff.by.name)} (${data.signOff.by.role})${data.signOff.note ? `: “${escapeSlack(data.signOff.note)}”` : ''}`);
  for (const rule of (data.failingRules ?? []).slice(0, 10)) lines.push(`• \`${escapeSlack(rule.id)}\` ${escapeSlack(rule.message)}`);
  if ((data.failingRules?.length ?? 0) > 10) lines.push(`…and ${data.failingRules!.length - 10} more`);
  return {
    text: `${title}: ${subject}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } },
      ...(data.passport ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open passport' }, url: data.passport.url }] }] : []),
    ],
  };
}
