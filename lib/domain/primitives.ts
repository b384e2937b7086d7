/**
 * The domain's small values, each defined once: the pattern, its zod schema and its message. Types,
 * request validation and the API contract derive from here (issue 15: one grammar per concept).
 *
 * Two slug grammars, because they name two different things:
 * - a workspace slug is part of console URLs (/console/<slug>): letters, digits and inner hyphens;
 * - a service or environment name is what CI sends to the gate (`checkout.v2`, `eu_west-1`):
 *   also "." and "_". Everything that refers to a service or environment (token and CI-trust
 *   limits, filters, the gate) uses the second, so any name the gate accepts can be scoped.
 */
import { z } from 'zod';

export const WORKSPACE_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const WORKSPACE_SLUG_MESSAGE = 'use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit';
export const workspaceSlugSchema = z.string().trim().regex(WORKSPACE_SLUG_PATTERN, WORKSPACE_SLUG_MESSAGE);

export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const SERVICE_NAME_MESSAGE = 'lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (at most 63)';
/** A service or environment name, as CI names it in a gate call. */
export const serviceNameSchema = z.string().regex(SERVICE_NAME_PATTERN, SERVICE_NAME_MESSAGE);

/** A connector's name: unique in its workspace, and how policy rules name it. */
export const CONNECTOR_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const connectorNameSchema = z.string().regex(CONNECTOR_NAME_PATTERN, 'a connector name is lowercase letters, digits and "-" (at most 63), starting with a letter or digit');

/** A service's or environment's display name (the slug stays the identity CI uses). */
export const DISPLAY_NAME_MAX = 100;
export const displayNameSchema = z.string().trim().min(1, 'give it a name').max(DISPLAY_NAME_MAX, `at most ${DISPLAY_NAME_MAX} characters`);

/**
 * An environment's tier, set explicitly by an admin: enforce mode in a production environment
 * needs a license with production entitlement. One the gate creates on first use is
 * non-production and unclassified until someone sets it.
 */
export const ENVIRONMENT_TIERS = ['production', 'non-production'] as const;
export type EnvironmentTier = (typeof ENVIRONMENT_TIERS)[number];
export const environmentTierSchema = z.enum(ENVIRONMENT_TIERS);
export const tierOf = (production: boolean): EnvironmentTier => (production ? 'production' : 'non-production');

/** Pieces of evidence (and artifacts) one gate evaluation judges at most. */
export const MAX_GATE_EVIDENCE = 200;

export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
export const sha256HexSchema = z.string().regex(SHA256_HEX_PATTERN, 'a sha256 digest: 64 lower-case hex characters');
/** A passport's id is the sha256 of its envelope's payload. */
export const passportIdSchema = z.string().regex(SHA256_HEX_PATTERN, 'a passport id: 64 lower-case hex characters');
/** A container image digest as registries write it. */
export const IMAGE_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
export const imageDigestSchema = z.string().regex(IMAGE_DIGEST_PATTERN, 'an image digest: "sha256:" and 64 lower-case hex characters');
/** A digest as people paste it: bare hex, or with its "sha256:" prefix. */
export const sha256WithOptionalPrefixSchema = z.string().regex(/^(sha256:)?[0-9a-f]{64}$/, 'a sha256 digest (64 lower-case hex characters, optionally prefixed "sha256:")');

/**
 * An image reference as a cluster or a deploy reports it: `repository[:tag][@sha256:<hex>]`
 * (`registry.example:5000/team/api:1.4@sha256:…`). Only the digest identifies what runs: a
 * reference without one is "unpinned" and never matched to a passport.
 */
export const IMAGE_REFERENCE_PATTERN = /^(?<repository>[A-Za-z0-9][A-Za-z0-9._\-/:]{0,255}?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/;
export const IMAGE_REFERENCE_MESSAGE = 'an image reference: repository@sha256:<64 lower-case hex> (e.g. registry.example/api@sha256:…), or repository:tag (recorded as unpinned)';
export interface ImageReference {
  repository: string;
  tag: string | null;
  /** "sha256:<hex>", or null: unpinned (a tag only). */
  digest: string | null;
}
/** Splits an image reference; null when it is not one. A registry port is part of the repository, not a tag. */
export function parseImageReference(reference: string): ImageReference | null {
  const match = IMAGE_REFERENCE_PATTERN.exec(reference);
  if (!match?.groups) return null;
  const { repository = '', tag, digest } = match.groups;
  // A port belongs to a registry host followed by a path ("registry:5000/api"); "a:b:c" is no reference.
  if (repository.endsWith('/') || repository.includes('//') || /:[^/]*$/.test(repository)) return null;
  return { repository, tag: tag ?? null, digest: digest ?? null };
}
export const imageReferenceSchema = z.string().trim().max(512, 'at most 512 characters').refine((value) => parseImageReference(value) !== null, IMAGE_REFERENCE_MESSAGE);

/** Where an observation of what runs came from: a connector of these types, or an `rp report-deployment` call. */
export const DEPLOYMENT_SOURCE_KINDS = ['report', 'kubernetes', 'argocd'] as const;
export type DeploymentSourceKind = (typeof DEPLOYMENT_SOURCE_KINDS)[number];
/** A running image against its passports (lib/deployments/store.ts says when each holds). */
export const DEPLOYMENT_STATUSES = ['passported', 'drift', 'unpassported', 'unpinned'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Workspace roles, from most to least privileged. What each may do is lib/access/verbs.ts. */
export const ROLES = ['admin', 'maintainer', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);
/** Whether `role` is `minimum` or more privileged (ROLES runs from most to least). */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(minimum);
}

/**
 * A note with an approval or a rejection: what the person checked, or why they refuse. A
 * rejection must say why; both are at most SIGN_OFF_NOTE_MAX characters.
 */
export const SIGN_OFF_NOTE_MAX = 1000;
export const signOffNoteSchema = z.string().trim().max(SIGN_OFF_NOTE_MAX, `at most ${SIGN_OFF_NOTE_MAX} characters`);
export const rejectionNoteSchema = signOffNoteSchema.min(1, 'say why you reject it: the note is required');

/** How a policy's failures count: recorded only, warned, or blocking. */
export const POLICY_MODES = ['shadow', 'advisory', 'enforce'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];
export const policyModeSchema = z.enum(POLICY_MODES);

/** The gate's answer. */
export const DECISIONS = ['allow', 'warn', 'deny'] as const;
export type Decision = (typeof DECISIONS)[number];
export const decisionSchema = z.enum(DECISIONS);

/** An audited access decision. */
export const ACCESS_OUTCOMES = ['allow', 'deny'] as const;
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[number];

/** Where a notification endpoint sends: a Standard Webhooks receiver, or a Slack incoming webhook. */
export const NOTIFICATION_KINDS = ['webhook', 'slack'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);

/** The events an endpoint can subscribe to (lib/notifications/events.ts says when each happens). */
export const NOTIFICATION_EVENTS = ['release.blocked', 'approval.requested', 'approval.approved', 'approval.rejected', 'drift.detected'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export const notificationEventSchema = z.enum(NOTIFICATION_EVENTS);
/** What a delivery carries: a subscribed event, or the settings page's test event. */
export const DELIVERY_EVENTS = [...NOTIFICATION_EVENTS, 'ping'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

/** A delivery: waiting for its (next) attempt, delivered (2xx), or failed for good. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `col in ('a', 'b')` for a CHECK constraint: the database refuses what the type refuses. */
export function oneOfSql(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}

/** Any JSON value (what a rule measured, a connector read, an audit event's details). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
