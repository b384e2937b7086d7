/**
 * Permission verbs and the one table that maps roles to them (docs/security-model.md).
 * Every sensitive operation asks `can(actor, verb, resource)` (lib/access/can.ts) with one of
 * these verbs. API token scopes are the same verbs written with a colon: `gate:evaluate`.
 */
import type { Role } from '@/db/schema/runtime';

export const VERBS = [
  'passport.read',
  'evidence.read',
  'evidence.write',
  'gate.evaluate',
  'policy.read',
  'policy.write',
  'approval.write',
  'comment.write',
  'connector.read',
  'connector.write',
  'settings.read',
  'settings.write',
  'secret.read',
  'secret.write',
  'token.manage',
  'member.manage',
  'audit.read',
  'report.export',
  'retention.write',
  'notification.manage',
  'catalog.write',
  'environment.tier',
  'deployment.report',
] as const;

export type Verb = (typeof VERBS)[number];

export { ROLES } from '@/lib/domain/primitives';

const VIEWER: Verb[] = ['passport.read', 'evidence.read', 'policy.read', 'connector.read', 'settings.read'];
// Reporting what a deploy put in an environment goes with asking the gate (the environment board).
const DEVELOPER: Verb[] = [...VIEWER, 'evidence.write', 'gate.evaluate', 'comment.write', 'deployment.report'];
const MAINTAINER: Verb[] = [
  ...DEVELOPER,
  'policy.write',
  'approval.write',
  'connector.write',
  'settings.write',
  'token.manage',
  'audit.read',
  'report.export',
  'secret.read',
  // Services and environments: create, rename, archive, promotion order, owners.
  'catalog.write',
];
// Retention (what is deleted, legal holds) is governance: admins only. So are notification
// endpoints (they write secrets to the store and send the workspace's events out) and an
// environment's tier (production decides whether enforce mode needs the license's production entitlement).
const ADMIN: Verb[] = [...MAINTAINER, 'member.manage', 'secret.write', 'retention.write', 'notification.manage', 'environment.tier'];

/** The role table. A role grants exactly these verbs and nothing else. */
export const ROLE_VERBS: Readonly<Record<Role, ReadonlySet<Verb>>> = {
  viewer: new Set(VIEWER),
  developer: new Set(DEVELOPER),
  maintainer: new Set(MAINTAINER),
  admin: new Set(ADMIN),
};

/**
 * Verbs an API token may be scoped to (CI needs no member or token management). catalog.write lets
 * `rp services` / `rp environments` manage the catalog; an environment's tier is never a token's to
 * change (a maintainer creates tokens, and the tier is an admin's decision). deployment.report lets a
 * deploy job say what it put in an environment (`rp report-deployment`).
 */
export const TOKEN_VERBS: readonly Verb[] = ['gate.evaluate', 'evidence.write', 'evidence.read', 'passport.read', 'policy.read', 'catalog.write', 'deployment.report'];

export function verbToScope(verb: Verb): string {
  return verb.replace('.', ':');
}

export function scopeToVerb(scope: string): Verb | null {
  const verb = scope.replace(':', '.');
  return (VERBS as readonly string[]).includes(verb) ? (verb as Verb) : null;
}
