/**
 * RFC 8693 token exchange for CI OIDC ID tokens (docs/security-model.md). The ID token's issuer is
 * only used to pick this workspace's trust policies naming it; the issuer's keys are fetched
 * from the URL the policy names (never from a URL an unverified token supplies). Then:
 * signature (JWKS, refreshed on an unknown kid), iss, exp, nbf (with clock skew), aud, the
 * policy's claim conditions, and a jti seen once. The answer is an ordinary API token that
 * lives at most 15 minutes, carries the matched policy's scopes and is named for the CI identity,
 * so every audit event and passport it produces says which run asked.
 */
import { and, eq, lt } from 'drizzle-orm';
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { issuerKeys, IssuerKeysUnavailable, type IssuerKeys } from '@/lib/security/issuer-keys';
import type { RuntimeDb } from '@/db/runtime';
import { apiTokens, ciTokenUses, ciTrustPolicies } from '@/db/schema/runtime';
import type { AuditContext } from '@/lib/audit/event';
import { appendAuditEvent } from '@/lib/audit/log';
import { displayPrefix, generateToken, hashToken } from '@/lib/tokens/format';
import { claimMatches, type TrustPolicy } from './policies';

export const GATE_TOKEN_LIFETIME_SECONDS = 15 * 60;
export const CLOCK_SKEW_SECONDS = 60;
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Which check an ID token failed: named in the problem, never with the token itself. */
export type ExchangeCheck = 'format' | 'issuer' | 'key' | 'signature' | 'expiry' | 'not-before' | 'audience' | 'claims' | 'jti' | 'replay' | 'discovery';

export class ExchangeRefused extends Error {
  constructor(
    readonly check: ExchangeCheck,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeRefused';
  }
}

/** Who asked, as recorded on the gate token, its audit events and the passports it produces. */
export interface CiIdentity {
  issuer: string;
  subject: string;
  repository: string;
  ref: string;
  workflow: string;
  runId: string;
  [claim: string]: string;
}

function describe(payload: JWTPayload): CiIdentity {
  const text = (...names: string[]) => {
    for (const name of names) {
      const value = payload[name];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
    return '';
  };
  const identity: CiIdentity = {
    issuer: payload.iss ?? '',
    subject: payload.sub ?? '',
    // GitHub: repository, workflow_ref, run_id; GitLab: project_path, ci_config_ref_uri, pipeline_id.
    repository: text('repository', 'project_path'),
    ref: text('ref'),
    workflow: text('workflow_ref', 'workflow', 'ci_config_ref_uri'),
    runId: text('run_id', 'pipeline_id'),
  };
  const attempt = text('run_attempt');
  if (attempt) identity.runAttempt = attempt;
  const environment = text('environment');
  if (environment) identity.environment = environment;
  const job = text('job_id');
  if (job) identity.jobId = job;
  return identity;
}

/**
 * The workflow file of a run: GitHub's workflow_ref "acme/api/.github/workflows/release.yml@refs/heads/main"
 * and GitLab's ci_config_ref_uri "gitlab.com/acme/api//.gitlab-ci.yml@refs/heads/main" both name it
 * after the repository and before the ref.
 */
export function workflowFile(identity: Pick<CiIdentity, 'workflow' | 'repository'>): string {
  const withoutRef = identity.workflow.replace(/@[^@]*$/, '');
  const gitlab = withoutRef.indexOf('//');
  if (gitlab >= 0) return withoutRef.slice(gitlab + 2);
  if (identity.repository && withoutRef.startsWith(`${identity.repository}/`)) return withoutRef.slice(identity.repository.length + 1);
  return withoutRef;
}

/**
 * What a person reading the audit log recognises, and what every event of the gate token carries:
 * "ci acme/api@refs/heads/main .github/workflows/release.yml run 123 (token.actions.githubusercontent.com)".
 */
export function ciIdentityLabel(identity: CiIdentity): string {
  const host = (() => {
    try {
      return new URL(identity.issuer).host;
    } catch {
      return identity.issuer;
    }
  })();
  const workflow = workflowFile(identity);
  return `ci ${identity.repository || identity.subject}@${identity.ref || '?'}${workflow ? ` ${workflow}` : ''} run ${identity.runId || '?'} (${host})`;
}

async function verifyIdToken(idToken: string, issuer: string, now: Date): Promise<JWTPayload> {
  let jwks: IssuerKeys;
  try {
    jwks = await issuerKeys(issuer);
  } catch (error) {
    if (error instanceof IssuerKeysUnavailable) throw new ExchangeRefused('discovery', error.message);
    throw error;
  }
  try {
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer,
      algorithms: ID_TOKEN_ALGORITHMS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ['exp', 'iat'],
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWKSNoMatchingKey) throw new ExchangeRefused('key', "the ID token is signed by a key the issuer's JWKS does not publish");
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new ExchangeRefused('signature', "the ID token's signature does not verify with the issuer's key");
    if (error instanceof joseErrors.JWTExpired) throw new ExchangeRefused('expiry', 'the ID token has expired; request a fresh one from the CI platform');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') throw new ExchangeRefused('not-before', 'the ID token is not valid yet (nbf / iat in the future); check the clock');
      if (error.claim === 'iss') throw new ExchangeRefused('issuer', 'the ID token names another issuer');
      throw new ExchangeRefused('format', `the ID token's ${error.claim} claim is missing or invalid`);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) throw new ExchangeRefused('signature', 'the ID token must be signed with an asymmetric algorithm');
    if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
      throw new ExchangeRefused('discovery', "the issuer's JWKS could not be fetched; try again later");
    }
    throw new ExchangeRefused('format', 'the ID token is not a valid signed JWT');
  }
}

function audienceOf(payload: JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud) ? payload.aud : [];
}

export interface ExchangeResult {
  token: string;
  expiresIn: number;
  scopes: string[];
  policy: Pick<TrustPolicy, 'id' | 'name'>;
  identity: CiIdentity;
}

/**
 * Exchanges a CI ID token for a gate token of `workspaceId`, or throws ExchangeRefused naming
 * the failed check (the caller audits the refusal and rate-limits the address).
 */
export async function exchangeIdToken(
  db: RuntimeDb,
  workspaceId: string,
  idToken: string,
  options: { audit: AuditContext; dpopJkt: string | null; now?: Date },
): Promise<ExchangeResult> {
  const now = options.now ?? new Date();
  let claimedIssuer: unknown;
  try {
    claimedIssuer = decodeJwt(idToken).iss;
  } catch {
    throw new ExchangeRefused('format', 'subject_token is not a JWT (send the CI platform\'s OIDC ID token)');
  }
  if (typeof claimedIssuer !== 'string') throw new ExchangeRefused('format', 'the ID token has no iss claim');
  // Only the issuers this workspace's policies name are ever contacted.
  const candidates = await db
    .select()
    .from(ciTrustPolicies)
    .where(and(eq(ciTrustPolicies.workspaceId, workspaceId), eq(ciTrustPolicies.issuer, claimedIssuer.replace(/\/+$/, ''))));
  if (candidates.length === 0) throw new ExchangeRefused('issuer', 'no trust policy of this workspace names the ID token\'s issuer');
  const issuer = candidates[0]!.issuer;
  if (claimedIssuer !== issuer) throw new ExchangeRefused('issuer', 'the ID token names another issuer');

  const payload = await verifyIdToken(idToken, issuer, now);
  const audiences = audienceOf(payload);
  const forAudience = candidates.filter((policy) => audiences.includes(policy.audience));
  if (forAudience.length === 0) throw new ExchangeRefused('audience', 'the ID token is for another audience than the trust policies name (set the audience to this runtime\'s URL)');
  const policy = forAudience
    .filter((candidate) => Object.entries(candidate.conditions).every(([claim, condition]) => claimMatches(condition, payload[claim])))
    .sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!policy) throw new ExchangeRefused('claims', "the ID token's claims (repository, ref, workflow...) match no trust policy of this workspace");
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) throw new ExchangeRefused('jti', 'the ID token has no jti, so a replay could not be refused');

  const identity = describe(payload);
  const token = generateToken();
  const expiresIn = Math.min(GATE_TOKEN_LIFETIME_SECONDS, Math.max(1, payload.exp! + CLOCK_SKEW_SECONDS - Math.floor(now.getTime() / 1000)));
  const expiresAt = new Date(now.getTime() + expiresIn * 1000);
  await db.transaction(async (tx) => {
    const seen = await tx
      .insert(ciTokenUses)
      .values({ issuer, jti: payload.jti!, expiresAt: new Date((payload.exp! + CLOCK_SKEW_SECONDS) * 1000) })
      .onConflictDoNothing()
      .returning({ jti: ciTokenUses.jti });
    if (seen.length === 0) throw new ExchangeRefused('replay', 'this ID token was already exchanged (its jti was seen); request a fresh one');
    await tx.delete(ciTokenUses).where(lt(ciTokenUses.expiresAt, now));
    const [record] = await tx
      .insert(apiTokens)
      .values({
        workspaceId,
        name: ciIdentityLabel(identity),
        prefix: displayPrefix(token),
        tokenHash: hashToken(token),
        scopes: policy.scopes,
        services: policy.services,
        environments: policy.environments,
        dpopJkt: options.dpopJkt,
        ciIdentity: identity,
        expiresAt,
      })
      .returning({ id: apiTokens.id, prefix: apiTokens.prefix });
    await appendAuditEvent(tx, {
      ...options.audit,
      actor: { type: 'anonymous', id: null, label: ciIdentityLabel(identity) },
      workspaceId,
      action: 'token.exchange',
      resource: { type: 'api_token', id: record!.id },
      outcome: 'allow',
      details: {
        ciIdentity: identity,
        policy: { id: policy.id, name: policy.name },
        prefix: record!.prefix,
        scopes: policy.scopes,
        services: policy.services,
        environments: policy.environments,
        expiresAt: expiresAt.toISOString(),
        dpopBound: options.dpopJkt !== null,
      },
    });
  });
  return { token, expiresIn, scopes: policy.scopes, policy: { id: policy.id, name: policy.name }, identity };
}
