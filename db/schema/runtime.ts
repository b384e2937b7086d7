/**
 * The customer runtime's tables (docs/architecture.md). Every tenant row carries `workspace_id`
 * and every data-access query filters by it; installation-level rows (users, sessions,
 * the license) are the only exceptions and say so.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ACCESS_OUTCOMES, DECISIONS, DELIVERY_EVENTS, DEPLOYMENT_SOURCE_KINDS, DELIVERY_STATUSES, NOTIFICATION_EVENTS, NOTIFICATION_KINDS, oneOfSql, POLICY_MODES, ROLES, type AccessOutcome, type Decision, type PolicyMode, type Role } from '../../lib/domain/primitives';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tz = (name: string) => timestamp(name, { withTimezone: true });

export type { Decision, PolicyMode, Role } from '../../lib/domain/primitives';

// The database refuses a value the type refuses (lib/domain/primitives.ts is the one list).
const oneOf = (column: AnyPgColumn, values: readonly string[]) => sql`${column} in (${sql.raw(oneOfSql(values))})`;

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** Installation-level: a person can belong to several workspaces. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** Argon2id hash for local accounts; null for OIDC or proxy users. */
  passwordHash: text('password_hash'),
  disabledAt: tz('disabled_at'),
  lastSignInAt: tz('last_sign_in_at'),
  createdAt: createdAt(),
});

/** Links an external identity (OIDC issuer + subject, or a proxy) to a user. */
export const userIdentities = pgTable(
  'user_identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index('user_identities_user_idx').on(t.userId)],
);

/** Server-side session records: the JWT names one, and the server re-checks it on every request. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    method: text('method').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
    expiresAt: tz('expires_at').notNull(),
    revokedAt: tz('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One-time sign-in links (the bootstrap admin's first sign-in). Only the hash is kept. */
export const signInLinks = pgTable('sign_in_links', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: tz('expires_at').notNull(),
  usedAt: tz('used_at'),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('memberships_user_idx').on(t.userId), check('memberships_role_check', oneOf(t.role, ROLES))],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: tz('expires_at').notNull(),
    acceptedAt: tz('accepted_at'),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: tz('revoked_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('invitations_workspace_idx').on(t.workspaceId), check('invitations_role_check', oneOf(t.role, ROLES))],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the token, safe to show ("rp_3fa9c2…"). */
    prefix: text('prefix').notNull(),
    /** sha256 of the whole token; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    /** Service / environment slugs the token is limited to; null means any. */
    services: jsonb('services').$type<string[] | null>(),
    environments: jsonb('environments').$type<string[] | null>(),
    /** RFC 7638 thumbprint of the DPoP key the token is bound to (RFC 9449), if any. */
    dpopJkt: text('dpop_jkt'),
    /** For a gate token minted by CI token exchange: the CI identity it was issued to (lib/ci-identity). */
    ciIdentity: jsonb('ci_identity').$type<Record<string, string> | null>(),
    expiresAt: tz('expires_at').notNull(),
    revokedAt: tz('revoked_at'),
    lastUsedAt: tz('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('api_tokens_workspace_idx').on(t.workspaceId)],
);

/**
 * DPoP proofs already seen (RFC 9449 section 11.1): a proof's `jti` is accepted once per key
 * while its `iat` is inside the acceptance window; rows past `expires_at` are pruned.
 */
export const dpopProofs = pgTable(
  'dpop_proofs',
  {
    jkt: text('jkt').notNull(),
    jti: text('jti').notNull(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jkt, t.jti] }), index('dpop_proofs_expires_idx').on(t.expiresAt)],
);

/**
 * CI trust policies (RFC 8693 token exchange, lib/ci-identity): which OIDC issuer's ID tokens,
 * for which audience and claims, may be exchanged for a short-lived gate token with these scopes.
 */
export const ciTrustPolicies = pgTable(
  'ci_trust_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    issuer: text('issuer').notNull(),
    audience: text('audience').notNull(),
    /** Claim name -> exact value, or a `*` pattern; every condition must hold. */
    conditions: jsonb('conditions').$type<Record<string, string>>().notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    services: jsonb('services').$type<string[] | null>(),
    environments: jsonb('environments').$type<string[] | null>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('ci_trust_policies_workspace_idx').on(t.workspaceId), unique('ci_trust_policies_workspace_name').on(t.workspaceId, t.name)],
);

/** CI ID tokens already exchanged: a (issuer, jti) is accepted once while the ID token is valid. */
export const ciTokenUses = pgTable(
  'ci_token_uses',
  {
    issuer: text('issuer').notNull(),
    jti: text('jti').notNull(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.jti] }), index('ci_token_uses_expires_idx').on(t.expiresAt)],
);

export const services = pgTable(
  'services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The identity CI names in gate calls; never changes (the name is what people rename). */
    slug: text('slug').notNull(),
    /** Display name. */
    name: text('name').notNull(),
    /** Archived: the gate refuses new releases of it; its history stays readable. */
    archivedAt: tz('archived_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('services_workspace_slug_idx').on(t.workspaceId, t.slug)],
);

/** A service's owners: members of its workspace (ex-members drop out where owners are read). */
export const serviceOwners = pgTable(
  'service_owners',
  {
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').notNull().references(() => services.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.userId] }), index('service_owners_workspace_idx').on(t.workspaceId)],
);

export const environments = pgTable(
  'environments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /** The tier (lib/domain/primitives.ts ENVIRONMENT_TIERS): enforce mode here needs a license with production entitlement. */
    production: boolean('production').notNull().default(false),
    /** When someone set the tier; null: unclassified (the gate created it, non-production until someone decides). */
    tierSetAt: tz('tier_set_at'),
    /** Place in the workspace's promotion order (0 first); null: not placed, after the placed ones. */
    position: integer('promotion_position'),
    /** Archived: the gate refuses new releases to it; its history stays readable. */
    archivedAt: tz('archived_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('environments_workspace_slug_idx').on(t.workspaceId, t.slug), check('environments_promotion_position_check', sql`${t.position} >= 0`)],
);

/**
 * A policy applies to the whole workspace, one service, one environment, or one pair.
 * `scope_key` ("*|*", "api|*", "api|production") makes the scope unique without nullable keys.
 */
export const policies = pgTable(
  'policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    serviceId: uuid('service_id').references(() => services.id, { onDelete: 'cascade' }),
    environmentId: uuid('environment_id').references(() => environments.id, { onDelete: 'cascade' }),
    scopeKey: text('scope_key').notNull(),
    mode: text('mode').$type<PolicyMode>().notNull().default('shadow'),
    version: integer('version').notNull().default(1),
    rules: jsonb('rules').notNull(),
    /** sha256 of the canonical JSON of {mode, rules}. */
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policies_scope_idx').on(t.workspaceId, t.scopeKey), check('policies_mode_check', oneOf(t.mode, POLICY_MODES))],
);

export const policyVersions = pgTable(
  'policy_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    policyId: uuid('policy_id').notNull().references(() => policies.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    mode: text('mode').$type<PolicyMode>().notNull(),
    rules: jsonb('rules').notNull(),
    /** The policy's name when this version was written (passports record it). */
    name: text('name').notNull().default(''),
    hash: text('hash').notNull(),
    reason: text('reason'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('policy_versions_policy_version_idx').on(t.policyId, t.version), check('policy_versions_mode_check', oneOf(t.mode, POLICY_MODES))],
);

export const releases = pgTable(
  'releases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').notNull().references(() => services.id, { onDelete: 'cascade' }),
    environmentId: uuid('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    sourceSha: text('source_sha').notNull(),
    imageDigest: text('image_digest').notNull(),
    chartVersion: text('chart_version'),
    /**
     * The person who first asked the gate for this release, when a person did (with their own
     * session); null for a CI token or run. An approvals rule may refuse to count their approval.
     */
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('releases_identity_idx').on(
      t.workspaceId,
      t.serviceId,
      t.environmentId,
      t.sourceSha,
      t.imageDigest,
      sql`coalesce(${t.chartVersion}, '')`,
    ),
    // What decisions and passports reference: their release, in their own workspace.
    unique('releases_workspace_id_id_key').on(t.workspaceId, t.id),
  ],
);

/** Evidence metadata; the bytes live content-addressed in object storage under `storage_key`. */
export const evidence = pgTable(
  'evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    /**
     * sha256 (hex) of the bytes as CI sent them: the evidence's identity (what CI's signatures and
     * `sha256sum` cover), named by gate requests, decisions and passports.
     */
    sha256: text('sha256').notNull(),
    /** sha256 (hex) of the bytes stored: equal to sha256 unless the sanitizer redacted something (listed in `redactions`). */
    storedSha256: text('stored_sha256').notNull(),
    kind: text('kind').notNull(),
    mediaType: text('media_type').notNull(),
    /** Size of the bytes as sent (rows stored before the identity was the sent bytes: of the stored bytes). */
    size: bigint('size', { mode: 'number' }).notNull(),
    storageKey: text('storage_key').notNull(),
    summary: jsonb('summary').notNull(),
    /** What the sanitizer removed (paths and kinds, never the values). */
    redactions: jsonb('redactions').notNull().default(sql`'[]'::jsonb`),
    source: text('source'),
    serviceId: uuid('service_id').references(() => services.id, { onDelete: 'set null' }),
    collectedAt: tz('collected_at').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    // Content-addressed: one row per content and kind; an upload of the same bytes refreshes it.
    uniqueIndex('evidence_workspace_sha_kind_idx').on(t.workspaceId, t.sha256, t.kind),
    index('evidence_workspace_created_idx').on(t.workspaceId, t.createdAt),
  ],
);

export const gateDecisions = pgTable(
  'gate_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // The workspace and the release are one key into releases (below): a decision cannot name
    // another workspace's release, and goes when its release or its workspace goes.
    workspaceId: uuid('workspace_id').notNull(),
    releaseId: uuid('release_id').notNull(),
    policyId: uuid('policy_id').references(() => policies.id, { onDelete: 'set null' }),
    policyVersion: integer('policy_version').notNull(),
    policyHash: text('policy_hash').notNull(),
    decision: text('decision').$type<Decision>().notNull(),
    /** The mode applied (enforce on production without a license is applied as advisory). */
    mode: text('mode').$type<PolicyMode>().notNull(),
    /** The policy's own mode. */
    requestedMode: text('requested_mode').$type<PolicyMode>().notNull(),
    blocking: boolean('blocking').notNull(),
    reasons: jsonb('reasons').notNull(),
    notes: jsonb('notes').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** sha256 of the canonical normalized input snapshot (what was judged). */
    inputHash: text('input_hash').notNull(),
    /** The normalized inputs themselves, so a replay re-evaluates exactly what was judged. */
    inputs: jsonb('inputs').notNull(),
    evaluatedAt: tz('evaluated_at').notNull(),
    passportId: text('passport_id'),
    actor: text('actor'),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: 'gate_decisions_release_fk', columns: [t.workspaceId, t.releaseId], foreignColumns: [releases.workspaceId, releases.id] }).onDelete('cascade'),
    index('gate_decisions_workspace_created_idx').on(t.workspaceId, t.createdAt),
    index('gate_decisions_workspace_release_idx').on(t.workspaceId, t.releaseId),
    index('gate_decisions_workspace_passport_idx').on(t.workspaceId, t.passportId),
    // The console's shadow report: a policy's recent decisions, judged again with a candidate.
    index('gate_decisions_workspace_policy_created_idx').on(t.workspaceId, t.policyId, t.createdAt),
    check('gate_decisions_decision_check', oneOf(t.decision, DECISIONS)),
    check('gate_decisions_mode_check', oneOf(t.mode, POLICY_MODES)),
    check('gate_decisions_requested_mode_check', oneOf(t.requestedMode, POLICY_MODES)),
  ],
);

/**
 * Idempotency keys of gate evaluations (the `Idempotency-Key` header, per workspace): a retry of a
 * request whose answer was lost gets the answer recorded the first time, not a second decision.
 * Written by the statement that records the decision (both or neither); kept 24 hours.
 */
export const gateIdempotencyKeys = pgTable(
  'gate_idempotency_keys',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Canonical hash of the request body: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    decisionId: uuid('decision_id').notNull(),
    /** The answer as given the first time. */
    response: jsonb('response').notNull(),
    createdAt: createdAt(),
    expiresAt: tz('expires_at').notNull(),
  },
  (t) => [primaryKey({ name: 'gate_idempotency_keys_pkey', columns: [t.workspaceId, t.key] }), index('gate_idempotency_keys_expires_idx').on(t.expiresAt)],
);

export const passports = pgTable(
  'passports',
  {
    /** sha256 (hex) of the canonical payload. */
    id: text('id').primaryKey(),
    // One key into releases, as for gate decisions.
    workspaceId: uuid('workspace_id').notNull(),
    releaseId: uuid('release_id').notNull(),
    decisionId: uuid('decision_id').notNull(),
    serviceId: uuid('service_id').notNull(),
    environmentId: uuid('environment_id').notNull(),
    decision: text('decision').$type<Decision>().notNull(),
    mode: text('mode').$type<PolicyMode>().notNull(),
    blocking: boolean('blocking').notNull(),
    /** The canonical JSON (RFC 8785) exactly as signed. */
    payload: text('payload').notNull(),
    /** The DSSE envelope without its payload, which is `payload` above: { payloadType, signatures: [{ keyid, sig }] } (lib/passport/stored-envelope.ts; older rows keep the base64 payload too). */
    envelope: jsonb('envelope').notNull(),
    keyId: text('key_id').notNull(),
    evaluatedAt: tz('evaluated_at').notNull(),
    /** Under legal hold, retention never removes it (nor the evidence it judged). */
    legalHold: boolean('legal_hold').notNull().default(false),
    legalHoldReason: text('legal_hold_reason'),
    legalHoldBy: text('legal_hold_by'),
    legalHoldAt: tz('legal_hold_at'),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ name: 'passports_release_fk', columns: [t.workspaceId, t.releaseId], foreignColumns: [releases.workspaceId, releases.id] }).onDelete('cascade'),
    // Keyset pagination: (created_at, id) descending within a workspace, with the common filters.
    index('passports_workspace_page_idx').on(t.workspaceId, t.createdAt.desc(), t.id.desc()),
    index('passports_workspace_service_page_idx').on(t.workspaceId, t.serviceId, t.createdAt.desc(), t.id.desc()),
    index('passports_workspace_env_page_idx').on(t.workspaceId, t.environmentId, t.createdAt.desc(), t.id.desc()),
    index('passports_workspace_decision_page_idx').on(t.workspaceId, t.decision, t.createdAt.desc(), t.id.desc()),
    check('passports_decision_check', oneOf(t.decision, DECISIONS)),
    check('passports_mode_check', oneOf(t.mode, POLICY_MODES)),
    // The console's "latest passport of a service in an environment" and its service + environment filter.
    index('passports_workspace_service_env_page_idx').on(t.workspaceId, t.serviceId, t.environmentId, t.createdAt.desc(), t.id.desc()),
    // The mode filter: after a switch to enforce, shadow passports sit behind every newer one.
    index('passports_workspace_mode_page_idx').on(t.workspaceId, t.mode, t.createdAt.desc(), t.id.desc()),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    passportId: text('passport_id').notNull().references(() => passports.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('comments_passport_idx').on(t.workspaceId, t.passportId)],
);

/** An approval is of a release; a required-approvals rule counts them by the approver's role. */
export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    releaseId: uuid('release_id').notNull().references(() => releases.id, { onDelete: 'cascade' }),
    passportId: text('passport_id'),
    approverId: uuid('approver_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('approvals_release_approver_idx').on(t.workspaceId, t.releaseId, t.approverId), check('approvals_role_check', oneOf(t.role, ROLES))],
);

/**
 * A rejection is of a release, with the reason (required). It stands until its author withdraws it
 * or approves instead (one verdict per person: lib/console/approvals.ts replaces the other), and
 * an approvals rule fails while one stands from someone whose approval it would count.
 */
export const rejections = pgTable(
  'rejections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull(),
    releaseId: uuid('release_id').notNull(),
    passportId: text('passport_id'),
    rejecterId: uuid('rejecter_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    note: text('note').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Its release in its own workspace, one key (as decisions and passports reference theirs).
    foreignKey({ name: 'rejections_release_fk', columns: [t.workspaceId, t.releaseId], foreignColumns: [releases.workspaceId, releases.id] }).onDelete('cascade'),
    uniqueIndex('rejections_release_rejecter_idx').on(t.workspaceId, t.releaseId, t.rejecterId),
    check('rejections_role_check', oneOf(t.role, ROLES)),
    check('rejections_note_check', sql`char_length(btrim(${t.note})) > 0`),
  ],
);

/**
 * A scoped, read-only connector (lib/connectors). `config` is the scope (exactly what it may read:
 * namespaces, queries, repositories...) plus its base URL and timeouts; `secret_ref` names the
 * credential, never holds it. The environment it serves decides which secrets its flow may read.
 */
export const connectors = pgTable(
  'connectors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    name: text('name').notNull(),
    environmentId: uuid('environment_id').references(() => environments.id, { onDelete: 'set null' }),
    config: jsonb('config').notNull(),
    /** A secret reference (env:NAME, file:/path, store:path), never the secret itself. */
    secretRef: text('secret_ref'),
    enabled: boolean('enabled').notNull().default(true),
    lastAttemptAt: tz('last_attempt_at'),
    lastSuccessAt: tz('last_success_at'),
    lastErrorAt: tz('last_error_at'),
    /** What went wrong, in our words: never a credential or a response body. */
    lastError: text('last_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    nextPollAt: tz('next_poll_at').notNull().defaultNow(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    /** Bumped by every configuration change: a change made from an older version is refused (409). */
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('connectors_workspace_name_idx').on(t.workspaceId, t.name), index('connectors_next_poll_idx').on(t.nextPollAt)],
);

/**
 * The latest reading of each target of each connector, as the worker polls them: freshness for
 * the console, and the fallback the gate judges (by its age) when a live read fails.
 */
export const connectorReadings = pgTable(
  'connector_readings',
  {
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    connectorId: uuid('connector_id').notNull().references(() => connectors.id, { onDelete: 'cascade' }),
    target: text('target').notNull(),
    /** sha256 of the reading's canonical JSON. */
    digest: text('digest').notNull(),
    /** The reading as the gate snapshots it: connector, type, subject, value, observedAt. */
    reading: jsonb('reading').notNull(),
    observedAt: tz('observed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectorId, t.target] }), index('connector_readings_workspace_idx').on(t.workspaceId)],
);

/**
 * What runs where (lib/deployments): one row per stint of an image at one place of an environment,
 * as a source saw it: a connector (its name; `location` is the namespace or Argo CD application,
 * `workload` the deployment and container) or an `rp report-deployment` call (`source` "report";
 * `location` the service, else the repository). A row is open (`gone_at` null) while the source
 * keeps seeing it; the environment's timeline is these rows. `digest` null: a tag only
 * (unpinned), never matched to a passport.
 */
export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    environmentId: uuid('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    sourceKind: text('source_kind').notNull(),
    location: text('location').notNull(),
    /** The deployment/container (Kubernetes), or '' when the source names none. */
    workload: text('workload').notNull().default(''),
    /** The reference as the source gave it. */
    image: text('image').notNull(),
    repository: text('repository').notNull(),
    digest: text('digest'),
    /** The service the report named (a service slug), if any. */
    service: text('service'),
    firstSeenAt: tz('first_seen_at').notNull(),
    lastSeenAt: tz('last_seen_at').notNull(),
    goneAt: tz('gone_at'),
    /** When its drift was notified (once per stint). */
    driftNotifiedAt: tz('drift_notified_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deployments_running_idx').on(t.workspaceId, t.environmentId, t.sourceKind, t.source, t.location, t.workload, t.image).where(sql`${t.goneAt} is null`),
    index('deployments_workspace_env_seen_idx').on(t.workspaceId, t.environmentId, t.firstSeenAt.desc()),
    index('deployments_workspace_env_digest_idx').on(t.workspaceId, t.environmentId, t.digest),
    check('deployments_source_kind_check', oneOf(t.sourceKind, DEPLOYMENT_SOURCE_KINDS)),
    check('deployments_digest_check', sql`${t.digest} is null or ${t.digest} ~ '^sha256:[0-9a-f]{64}$'`),
  ],
);

/**
 * The runtime's encrypted secret store (AES-256-GCM, lib/secrets). `ciphertext` never holds
 * plaintext: it is an envelope bound to its workspace and path (associated data), so a row copied
 * to another path or workspace does not decrypt. A null workspace is an installation-level secret
 * (the OIDC client secret...); every other row belongs to one workspace.
 */
export const secrets = pgTable(
  'secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    ciphertext: text('ciphertext').notNull(),
    /** Fingerprint of the key that sealed it (never the key): rotation moves every row to the new one. */
    keyId: text('key_id').notNull(),
    /** Starts at 1, +1 on every write: the status page shows it, audit events name it. */
    version: integer('version').notNull().default(1),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [unique('secrets_workspace_path_key').on(t.workspaceId, t.path).nullsNotDistinct()],
);

/**
 * Installation-level, one row: which key the store is encrypted under (its fingerprint) and, for
 * a password-derived key, the PBKDF2 salt and iterations ("salt stored beside the data").
 */
export const secretStore = pgTable('secret_store', {
  id: text('id').primaryKey(),
  keyId: text('key_id').notNull(),
  kdf: jsonb('kdf').$type<{ algorithm: 'pbkdf2-sha256'; salt: string; iterations: number } | null>(),
  createdAt: createdAt(),
  rotatedAt: tz('rotated_at'),
});

/** Workspace Ed25519 signing keys. The private part is a secret reference, never stored here. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    algorithm: text('algorithm').notNull().default('ed25519'),
    publicKeyPem: text('public_key_pem').notNull(),
    privateKeyRef: text('private_key_ref').notNull(),
    status: text('status').$type<'active' | 'retired'>().notNull().default('active'),
    createdAt: createdAt(),
    retiredAt: tz('retired_at'),
  },
  (t) => [
    index('signing_keys_workspace_idx').on(t.workspaceId),
    // At most one active key per workspace: it signs every new passport.
    uniqueIndex('signing_keys_one_active_idx').on(t.workspaceId).where(sql`status = 'active'`),
  ],
);

/**
 * Append-only, hash-chained audit log. One chain per workspace, plus the installation chain
 * ("installation") for events outside any workspace (sign-ins). hash = sha256(prev_hash + canonical(event)).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    workspaceId: uuid('workspace_id'),
    at: tz('at').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    outcome: text('outcome').$type<AccessOutcome>().notNull(),
    reason: text('reason'),
    requestId: text('request_id'),
    ip: text('ip'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_events_chain_seq_idx').on(t.chain, t.seq),
    index('audit_events_workspace_at_idx').on(t.workspaceId, t.at),
    check('audit_events_outcome_check', oneOf(t.outcome, ACCESS_OUTCOMES)),
  ],
);

/**
 * Where each audit chain ends. An append advances its chain's head and inserts the event in one
 * statement (lib/audit/log.ts): the head row's lock serializes appends to one chain, and the
 * database computes the new link from the head it just locked. A trigger only lets it move one
 * step forward (db/migrations/runtime/post/020_audit_chain_heads.sql).
 */
export const auditChainHeads = pgTable('audit_chain_heads', {
  chain: text('chain').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/** A signed record of audit events removed by retention, so the remaining chain still verifies. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  chain: text('chain').notNull(),
  workspaceId: uuid('workspace_id'),
  uptoSeq: bigint('upto_seq', { mode: 'number' }).notNull(),
  uptoHash: text('upto_hash').notNull(),
  purgedCount: integer('purged_count').notNull(),
  signature: text('signature').notNull(),
  keyId: text('key_id').notNull(),
  createdAt: createdAt(),
});

/**
 * A workspace's retention policy (lib/retention): how many days passports (with their decisions),
 * evidence (rows and blobs), audit events and ended deployment periods are kept; null keeps them
 * indefinitely.
 */
export const retentionPolicies = pgTable('retention_policies', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  passportsDays: integer('passports_days'),
  evidenceDays: integer('evidence_days'),
  auditDays: integer('audit_days'),
  /** Deployment history: periods that ended (replaced or gone); what runs now is never removed. */
  deploymentsDays: integer('deployments_days'),
  updatedBy: text('updated_by'),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  /** Bumped by every change: a change made from an older version is refused (409). */
  version: integer('version').notNull().default(1),
  lastRunAt: tz('last_run_at'),
  /** Counts of what the last run removed. */
  lastRunResult: jsonb('last_run_result'),
});

/**
 * Installation-level: this runtime's identity, one row made by the first migration run. A license
 * may name it (lib/license/verify.ts): such a license installs here and nowhere else.
 */
export const installationIdentity = pgTable(
  'installation_identity',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    installationId: uuid('installation_id').notNull().defaultRandom(),
    createdAt: createdAt(),
  },
  (t) => [check('installation_identity_singleton', sql`${t.singleton}`)],
);

/** Installation-level: the license installed in this runtime (verified offline on every read). */
export const installedLicenses = pgTable('installed_licenses', {
  id: uuid('id').primaryKey().defaultRandom(),
  token: text('token').notNull(),
  installedBy: text('installed_by'),
  installedAt: tz('installed_at').notNull().defaultNow(),
});

/**
 * Installation-level: the worker's recurring jobs (lib/worker), one row each. A worker claims a
 * due job with SELECT ... FOR UPDATE SKIP LOCKED and holds it by a lease (`locked_until`) it
 * extends while running, so several workers never run the same job at once, and a job whose
 * worker died is taken over once its lease has run out.
 */
export const jobs = pgTable('jobs', {
  name: text('name').primaryKey(),
  runAfter: tz('run_after').notNull().defaultNow(),
  intervalSeconds: integer('interval_seconds').notNull().default(300),
  leaseSeconds: integer('lease_seconds').notNull().default(300),
  lockedBy: text('locked_by'),
  lockedUntil: tz('locked_until'),
  lastStartedAt: tz('last_started_at'),
  lastFinishedAt: tz('last_finished_at'),
  /** `ok` or `error`. */
  lastStatus: text('last_status'),
  /** What the last run did (counts), or why it failed: never a secret. */
  lastResult: jsonb('last_result'),
  lastError: text('last_error'),
  lastWorker: text('last_worker'),
  runs: integer('runs').notNull().default(0),
});

/**
 * Evidence blobs whose rows retention removed, queued in the same transaction and deleted from
 * object storage after it commits; a failed deletion is retried on the next run.
 */
export const pendingBlobDeletions = pgTable('pending_blob_deletions', {
  storageKey: text('storage_key').primaryKey(),
  workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
  queuedAt: tz('queued_at').notNull().defaultNow(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
});

/**
 * Where a workspace's notifications go (lib/notifications). A webhook's URL is kept as is; its
 * signing secret (whsec_...) and a Slack incoming-webhook URL are secrets: `secret_ref` names them
 * (lib/secrets), never holds them. `events` is the subset it subscribes to. An endpoint that answered
 * 410 Gone is disabled, with the reason.
 */
export const notificationEndpoints = pgTable(
  'notification_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    /** The webhook's URL (null for Slack, whose URL is the secret). */
    url: text('url'),
    secretRef: text('secret_ref').notNull(),
    events: text('events').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notification_endpoints_workspace_name_idx').on(t.workspaceId, t.name),
    unique('notification_endpoints_workspace_id_id_key').on(t.workspaceId, t.id),
    check('notification_endpoints_kind_check', oneOf(t.kind, NOTIFICATION_KINDS)),
    check('notification_endpoints_events_check', sql`${t.events} <@ array[${sql.raw(oneOfSql(NOTIFICATION_EVENTS))}]::text[]`),
    check('notification_endpoints_url_check', sql`(${t.kind} = 'webhook') = (${t.url} is not null)`),
  ],
);

/**
 * The outbox: one row per endpoint and event, written in the transaction that records the event
 * (a gate decision, an approval), delivered by the worker with retries (lib/notifications/deliver.ts).
 * Its id is the Standard Webhooks `webhook-id`, the same on every attempt. `dedupe_key` keeps one
 * "approval requested" per release and endpoint however often the release is judged again.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id').notNull(),
    event: text('event').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at').notNull().defaultNow(),
    /** Held by a worker's attempt until then (a worker that died lets it go). */
    lockedUntil: tz('locked_until'),
    lastAttemptAt: tz('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    /** What went wrong, in our words: never the secret, never the response body. */
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    deliveredAt: tz('delivered_at'),
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.endpointId], foreignColumns: [notificationEndpoints.workspaceId, notificationEndpoints.id], name: 'notification_deliveries_endpoint_fk' }).onDelete('cascade'),
    index('notification_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('notification_deliveries_endpoint_idx').on(t.workspaceId, t.endpointId, t.createdAt),
    uniqueIndex('notification_deliveries_dedupe_idx').on(t.endpointId, t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    check('notification_deliveries_event_check', oneOf(t.event, DELIVERY_EVENTS)),
    check('notification_deliveries_status_check', oneOf(t.status, DELIVERY_STATUSES)),
  ],
);
