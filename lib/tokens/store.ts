/**
 * API tokens for CI (docs/security-model.md): created shown-once, stored as sha256 only, scoped to
 * verbs and optionally to service / environment slugs, always expiring, revocable, with the last
 * use (time and address) recorded. Every change is audited in the same transaction.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { RuntimeDb } from '@/db/runtime';
import { apiTokens, workspaces } from '@/db/schema/runtime';
import { scopeToVerb, TOKEN_VERBS, verbToScope, type Verb } from '@/lib/access/verbs';
import type { TokenActor } from '@/lib/access/can';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { serviceNameSchema } from '@/lib/domain/primitives';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { displayPrefix, generateToken, hashToken, isWellFormedToken } from './format';
import { forgetCachedToken, tokenLookupCache } from './lookup-cache';

export const TOKEN_SCOPES = TOKEN_VERBS.map(verbToScope) as [string, ...string[]];
/** Tokens are short-lived (docs/security-model.md): at most a year, and CI should prefer far less. */
export const MAX_TOKEN_LIFETIME_DAYS = 366;
const DAY_MS = 86_400_000;
/** Last use is written at most this often per token (and whenever the address changes). */
const LAST_USE_PRECISION_MS = 60_000;

export const tokenInputSchema = z.object({
  name: z.string().trim().min(1, 'give the token a name').max(100),
  scopes: z
    .array(z.enum(TOKEN_SCOPES, { message: `scopes are ${TOKEN_SCOPES.join(', ')}` }))
    .min(1, 'choose at least one scope')
    .transform((scopes) => [...new Set(scopes)].sort()),
  services: z.array(serviceNameSchema).min(1).nullable().default(null),
  environments: z.array(serviceNameSchema).min(1).nullable().default(null),
  expiresAt: z.coerce.date(),
  /** RFC 7638 SHA-256 thumbprint of the DPoP public key the token is bound to (RFC 9449). */
  dpopJkt: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'a DPoP key thumbprint is 43 base64url characters (RFC 7638, SHA-256)')
    .nullable()
    .default(null),
});
export type TokenInput = z.input<typeof tokenInputSchema>;

export type ApiTokenRecord = typeof apiTokens.$inferSelect;
/** What lists and the audit show: everything except the hash. */
export type ApiTokenSummary = Omit<ApiTokenRecord, 'tokenHash'>;

export class TokenInputError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'TokenInputError';
  }
}

export function parseTokenInput(input: TokenInput, now = new Date()): z.output<typeof tokenInputSchema> {
  const parsed = tokenInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new TokenInputError(issues.map((i) => `${i.path || 'token'}: ${i.message}`).join('; '), issues);
  }
  const { expiresAt } = parsed.data;
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) {
    throw new TokenInputError('expiresAt: the expiry must be in the future', [{ path: 'expiresAt', message: 'the expiry must be in the future' }]);
  }
  if (expiresAt.getTime() - now.getTime() > MAX_TOKEN_LIFETIME_DAYS * DAY_MS) {
    const message = `a token may live at most ${MAX_TOKEN_LIFETIME_DAYS} days`;
    throw new TokenInputError(`expiresAt: ${message}`, [{ path: 'expiresAt', message }]);
  }
  return parsed.data;
}

function summary(record: ApiTokenRecord): ApiTokenSummary {
  const { tokenHash: _hash, ...rest } = record;
  return rest;
}

/** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
export async function createApiToken(
  db: DbOrTx,
  workspaceId: string,
  input: TokenInput,
  audit: AuditContext,
  createdBy: string | null = null,
): Promise<{ token: string; record: ApiTokenSummary }> {
  const data = parseTokenInput(input);
  const token = generateToken();
  return db.transaction(async (tx) => {
    const [record] = await tx
      .insert(apiTokens)
      .values({
        workspaceId,
        name: data.name,
        prefix: displayPrefix(token),
        tokenHash: hashToken(token),
        scopes: data.scopes,
        services: data.services,
        environments: data.environments,
        dpopJkt: data.dpopJkt,
        expiresAt: data.expiresAt,
        createdBy,
      })
      .returning();
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'token.create',
      resource: { type: 'api_token', id: record!.id },
      outcome: 'allow',
      details: {
        name: data.name,
        prefix: record!.prefix,
        scopes: data.scopes,
        services: data.services,
        environments: data.environments,
        expiresAt: data.expiresAt.toISOString(),
        dpopBound: data.dpopJkt !== null,
      },
    });
    return { token, record: summary(record!) };
  });
}

export async function listApiTokens(db: RuntimeDb, workspaceId: string): Promise<ApiTokenSummary[]> {
  const rows = await db.select().from(apiTokens).where(eq(apiTokens.workspaceId, workspaceId)).orderBy(desc(apiTokens.createdAt));
  return rows.map(summary);
}

/** Revokes a token of this workspace; null when there is no such token here (or it was already revoked). */
export async function revokeApiToken(db: DbOrTx, workspaceId: string, tokenId: string, audit: AuditContext): Promise<ApiTokenSummary | null> {
  let revokedHash: string | null = null;
  const revoked = await db.transaction(async (tx) => {
    const [record] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!record) return null;
    revokedHash = record.tokenHash;
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'token.revoke',
      resource: { type: 'api_token', id: record.id },
      outcome: 'allow',
      details: { name: record.name, prefix: record.prefix },
    });
    return summary(record);
  });
  // This process refuses the token from now on; the others when the database's notification of
  // the commit reaches them (lib/tokens/lookup-cache.ts).
  if (revokedHash) forgetCachedToken(revokedHash);
  return revoked;
}

export type TokenFailure = 'malformed' | 'unknown' | 'expired' | 'revoked';

export type TokenLookup =
  | { ok: true; record: ApiTokenRecord; workspace: WorkspaceRef }
  | { ok: false; failure: TokenFailure; record?: ApiTokenRecord; workspace?: WorkspaceRef };

/**
 * The lookup every API request makes, built once per database (drizzle's prepared query) rather
 * than per request: the gate's throughput is budgeted (content/docs/operations/performance.md).
 */
const preparedLookups = new WeakMap<RuntimeDb, ReturnType<typeof prepareTokenLookup>>();

function prepareTokenLookup(db: RuntimeDb) {
  return db
    .select({ token: apiTokens, workspace: { id: workspaces.id, slug: workspaces.slug, name: workspaces.name } })
    .from(apiTokens)
    .innerJoin(workspaces, eq(workspaces.id, apiTokens.workspaceId))
    .where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('api_token_by_hash');
}

type TokenRow = Awaited<ReturnType<ReturnType<typeof prepareTokenLookup>['execute']>>[number];

function tokenByHash(db: RuntimeDb) {
  let lookup = preparedLookups.get(db);
  if (!lookup) preparedLookups.set(db, (lookup = prepareTokenLookup(db)));
  return lookup;
}

/** Finds the token a presented secret belongs to and says whether it may be used now. */
export async function lookupApiToken(db: RuntimeDb, presented: string, now = new Date()): Promise<TokenLookup> {
  if (!isWellFormedToken(presented)) return { ok: false, failure: 'malformed' };
  const tokenHash = hashToken(presented);
  const cache = tokenLookupCache<TokenRow>(db);
  let row = cache.get(tokenHash);
  if (!row) {
    const version = cache.version;
    [row] = await tokenByHash(db).execute({ tokenHash });
    if (row && !row.token.revokedAt) cache.set(tokenHash, row, version);
  }
  if (!row) return { ok: false, failure: 'unknown' };
  if (row.token.revokedAt) return { ok: false, failure: 'revoked', record: row.token, workspace: row.workspace };
  if (row.token.expiresAt.getTime() <= now.getTime()) return { ok: false, failure: 'expired', record: row.token, workspace: row.workspace };
  return { ok: true, record: row.token, workspace: row.workspace };
}

/** Records the time and address of a use; skipped when the last record is recent and from the same address. */
export async function recordApiTokenUse(db: RuntimeDb, record: ApiTokenRecord, ip: string | null, now = new Date()): Promise<void> {
  const recent = record.lastUsedAt && now.getTime() - record.lastUsedAt.getTime() < LAST_USE_PRECISION_MS;
  if (recent && record.lastUsedIp === ip) return;
  await db.update(apiTokens).set({ lastUsedAt: now, lastUsedIp: ip }).where(eq(apiTokens.id, record.id));
}

export function tokenActor(record: ApiTokenRecord): TokenActor {
  const scopes = record.scopes.map(scopeToVerb).filter((verb): verb is Verb => verb !== null);
  return {
    type: 'token',
    tokenId: record.id,
    name: record.name,
    workspaceId: record.workspaceId,
    scopes,
    services: record.services ?? null,
    environments: record.environments ?? null,
  };
}
