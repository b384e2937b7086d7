/**
 * What the audit log's resources are, for people: "policy checkout release gate" linked to the
 * policy, not "policy:1f04…". One batch of look-ups per page of events, every one scoped to the
 * workspace; a resource that no longer exists keeps the name its event recorded, or its id.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { apiTokens, ciTrustPolicies, connectors, environments, invitations, memberships, policies, releases, services, users } from '@/db/schema/runtime';
import { SERVICE_NAME_PATTERN, SHA256_HEX_PATTERN } from '@/lib/domain/primitives';

export interface ResourceLabel {
  label: string;
  /** Where the resource is seen in the console; null when it has no page (or is gone). */
  href: string | null;
}

interface AuditRowLike {
  resourceType: string | null;
  resourceId: string | null;
  details: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idsOf(rows: AuditRowLike[], type: string): string[] {
  return [...new Set(rows.filter((row) => row.resourceType === type && row.resourceId && UUID.test(row.resourceId)).map((row) => row.resourceId!))];
}

const key = (type: string, id: string) => `${type}:${id}`;

/** Labels (and console links) for the resources of these events, keyed "type:id". */
export async function labelAuditResources(db: RuntimeDb, workspace: { id: string; slug: string }, rows: AuditRowLike[]): Promise<Map<string, ResourceLabel>> {
  const labels = new Map<string, ResourceLabel>();
  const console = `/console/${workspace.slug}`;
  const settings = `/settings/${workspace.slug}`;
  const lookups = {
    policy: idsOf(rows, 'policy'),
    release: idsOf(rows, 'release'),
    user: idsOf(rows, 'user'),
    token: idsOf(rows, 'api_token'),
    trust: idsOf(rows, 'ci_trust_policy'),
    connector: idsOf(rows, 'connector'),
    invitation: idsOf(rows, 'invitation'),
  };
  const [policyRows, releaseRows, userRows, tokenRows, trustRows, connectorRows, invitationRows] = await Promise.all([
    lookups.policy.length ? db.select({ id: policies.id, name: policies.name }).from(policies).where(and(eq(policies.workspaceId, workspace.id), inArray(policies.id, lookups.policy))) : [],
    lookups.release.length
      ? db
          .select({ id: releases.id, service: services.slug, environment: environments.slug, image: releases.imageDigest })
          .from(releases)
          .innerJoin(services, eq(services.id, releases.serviceId))
          .innerJoin(environments, eq(environments.id, releases.environmentId))
          .where(and(eq(releases.workspaceId, workspace.id), inArray(releases.id, lookups.release)))
      : [],
    // People: only those who are (or were, by membership row) in this workspace are named.
    lookups.user.length
      ? db
          .select({ id: users.id, email: users.email })
          .from(users)
          .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.workspaceId, workspace.id)))
          .where(inArray(users.id, lookups.user))
      : [],
    lookups.token.length ? db.select({ id: apiTokens.id, name: apiTokens.name }).from(apiTokens).where(and(eq(apiTokens.workspaceId, workspace.id), inArray(apiTokens.id, lookups.token))) : [],
    lookups.trust.length ? db.select({ id: ciTrustPolicies.id, name: ciTrustPolicies.name }).from(ciTrustPolicies).where(and(eq(ciTrustPolicies.workspaceId, workspace.id), inArray(ciTrustPolicies.id, lookups.trust))) : [],
    lookups.connector.length ? db.select({ id: connectors.id, name: connectors.name }).from(connectors).where(and(eq(connectors.workspaceId, workspace.id), inArray(connectors.id, lookups.connector))) : [],
    lookups.invitation.length ? db.select({ id: invitations.id, email: invitations.email }).from(invitations).where(and(eq(invitations.workspaceId, workspace.id), inArray(invitations.id, lookups.invitation))) : [],
  ]);
  for (const row of policyRows) labels.set(key('policy', row.id), { label: `policy ${row.name}`, href: `${console}/policies/${row.id}` });
  for (const row of releaseRows) {
    labels.set(key('release', row.id), { label: `release ${row.service} → ${row.environment} (${row.image.slice(0, 19)}…)`, href: `${console}/passports?service=${row.service}&environment=${row.environment}` });
  }
  for (const row of userRows) labels.set(key('user', row.id), { label: row.email, href: `${settings}/members` });
  for (const row of tokenRows) labels.set(key('api_token', row.id), { label: `API token ${row.name}`, href: `${settings}/tokens` });
  for (const row of trustRows) labels.set(key('ci_trust_policy', row.id), { label: `trust policy ${row.name}`, href: `${settings}/ci-identities` });
  for (const row of connectorRows) labels.set(key('connector', row.id), { label: `connector ${row.name}`, href: `${settings}/connectors` });
  for (const row of invitationRows) labels.set(key('invitation', row.id), { label: `invitation for ${row.email}`, href: `${settings}/members` });

  for (const row of rows) {
    if (!row.resourceType || !row.resourceId || labels.has(key(row.resourceType, row.resourceId))) continue;
    const id = row.resourceId;
    if (row.resourceType === 'passport' && SHA256_HEX_PATTERN.test(id)) labels.set(key('passport', id), { label: `passport ${id.slice(0, 12)}…`, href: `${console}/passports/${id}` });
    else if (row.resourceType === 'evidence' && SHA256_HEX_PATTERN.test(id)) labels.set(key('evidence', id), { label: `evidence ${id.slice(0, 12)}…`, href: `${console}/evidence/${id}` });
    // An environment is named by its slug: its timeline shows what ran there (drift events name it).
    else if (row.resourceType === 'environment' && SERVICE_NAME_PATTERN.test(id)) labels.set(key('environment', id), { label: `environment ${id}`, href: `${console}/environments/${id}` });
  }
  return labels;
}

/** The label of one event's resource: looked up, else the name its event recorded, else type and id. */
export function resourceLabelOf(labels: Map<string, ResourceLabel>, row: AuditRowLike): ResourceLabel | null {
  if (!row.resourceType) return null;
  const found = row.resourceId ? labels.get(key(row.resourceType, row.resourceId)) : undefined;
  if (found) return found;
  const details = (row.details ?? {}) as Record<string, unknown>;
  const recorded = typeof details.name === 'string' ? details.name : typeof details.email === 'string' ? details.email : null;
  const type = row.resourceType.replace(/_/g, ' ');
  if (recorded) return { label: `${type} ${recorded}`, href: null };
  return { label: row.resourceId ? `${type} ${row.resourceId.length > 16 ? `${row.resourceId.slice(0, 12)}…` : row.resourceId}` : type, href: null };
}
