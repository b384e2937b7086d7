/**
 * CI trust policies (docs/security-model.md): per workspace, which OIDC issuer's ID tokens, for which
 * audience and claims, may be exchanged at /api/v1/token for a short-lived gate token carrying
 * the policy's scopes. Admin-only; every change is audited in its own transaction.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { RuntimeDb } from '@/db/runtime';
import { ciTrustPolicies } from '@/db/schema/runtime';
import { appendAuditEvent, type DbOrTx } from '@/lib/audit/log';
import type { AuditContext } from '@/lib/audit/event';
import { TOKEN_SCOPES } from '@/lib/tokens/store';
import { serviceNameSchema } from '@/lib/domain/primitives';
import { ProblemError } from '@/lib/http/problem';

/** Issuers CI platforms use, so an admin picks a name instead of typing a URL. */
export const ISSUER_PRESETS = {
  github: 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
} as const;

const issuerSchema = z
  .string()
  .trim()
  .transform((value) => (value in ISSUER_PRESETS ? ISSUER_PRESETS[value as keyof typeof ISSUER_PRESETS] : value))
  .pipe(
    z
      .string()
      .url('the issuer is "github", "gitlab" or an https URL')
      // zod runs this even when the URL check above failed: parse defensively.
      .refine((value) => {
        if (!URL.canParse(value)) return false;
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
      }, 'the issuer must be an https URL (http only on localhost)')
      .transform((value) => value.replace(/\/+$/, '')),
  );

const claimNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'a claim name is letters, digits, "_", "-" or "."');

export const trustPolicyInputSchema = z.object({
  name: z.string().trim().min(1, 'give the policy a name').max(100),
  issuer: issuerSchema,
  audience: z.string().trim().min(1, 'name the audience the ID token must carry (the runtime URL)').max(500),
  /** Claim -> value; `*` in a value matches any run of characters ("repo:acme/*:ref:refs/heads/main"). */
  conditions: z
    .record(claimNameSchema, z.string().min(1).max(500))
    .refine((conditions) => Object.keys(conditions).length > 0, 'add at least one claim condition (repository, project_path, sub...)'),
  scopes: z
    .array(z.enum(TOKEN_SCOPES, { message: `scopes are ${TOKEN_SCOPES.join(', ')}` }))
    .min(1, 'choose at least one scope')
    .transform((scopes) => [...new Set(scopes)].sort()),
  services: z.array(serviceNameSchema).min(1).nullable().default(null),
  environments: z.array(serviceNameSchema).min(1).nullable().default(null),
});
export type TrustPolicyInput = z.input<typeof trustPolicyInputSchema>;
export type TrustPolicy = typeof ciTrustPolicies.$inferSelect;

/** Claims each platform's ID token carries that a condition usually names (shown beside the form). */
export const CLAIM_HINTS = {
  github: ['repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'workflow_ref', 'job_workflow_ref', 'event_name', 'sub'],
  gitlab: ['project_path', 'namespace_path', 'ref', 'ref_type', 'ref_protected', 'environment', 'ci_config_ref_uri', 'pipeline_source', 'sub'],
} as const;

/**
 * A trust policy as the console and the CLI send it, checked by the API's schema; a refusal is a
 * validation problem naming each field (the console shows it beside the field, the CLI prints it).
 */
export function parseTrustPolicyInput(input: unknown): z.output<typeof trustPolicyInputSchema> {
  const parsed = trustPolicyInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({ path: String(issue.path[0] ?? 'policy'), message: issue.message }));
  throw new ProblemError('validation-failed', `The trust policy was not saved: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, { errors });
}

/** "claim=value" lines (the console's text area, the CLI's --condition) to a policy's conditions. */
export function conditionsFromLines(lines: string[]): Record<string, string> {
  const conditions: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    const claim = line.slice(0, Math.max(at, 0)).trim();
    const refuse = (message: string) => new ProblemError('validation-failed', `The trust policy was not saved: conditions: ${message}.`, { errors: [{ path: 'conditions', message }] });
    if (at <= 0 || !claim) throw refuse(`"${line.slice(0, 60)}" is not claim=value (e.g. repository=acme/api)`);
    if (claim in conditions) throw refuse(`the claim "${claim}" is named twice; one value per claim (use * for a pattern)`);
    conditions[claim] = line.slice(at + 1).trim();
  }
  return conditions;
}

/** Does `value` satisfy a condition: exact, or `*` standing for any run of characters. */
export function claimMatches(condition: string, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (!condition.includes('*')) return condition === value;
  const pattern = condition.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`, 's').test(value);
}

export async function listTrustPolicies(db: DbOrTx, workspaceId: string): Promise<TrustPolicy[]> {
  return db.select().from(ciTrustPolicies).where(eq(ciTrustPolicies.workspaceId, workspaceId)).orderBy(asc(ciTrustPolicies.name));
}

export async function createTrustPolicy(
  db: RuntimeDb,
  workspaceId: string,
  input: z.output<typeof trustPolicyInputSchema>,
  audit: AuditContext,
  createdBy: string | null = null,
): Promise<TrustPolicy | 'name-taken'> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(ciTrustPolicies)
      .values({ workspaceId, ...input, createdBy })
      .onConflictDoNothing()
      .returning();
    if (!row) return 'name-taken' as const;
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'ci_trust_policy.create',
      resource: { type: 'ci_trust_policy', id: row.id },
      outcome: 'allow',
      details: { name: row.name, issuer: row.issuer, audience: row.audience, conditions: row.conditions, scopes: row.scopes, services: row.services, environments: row.environments },
    });
    return row;
  });
}

export async function deleteTrustPolicy(db: RuntimeDb, workspaceId: string, policyId: string, audit: AuditContext): Promise<TrustPolicy | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(ciTrustPolicies)
      .where(and(eq(ciTrustPolicies.workspaceId, workspaceId), eq(ciTrustPolicies.id, policyId)))
      .returning();
    if (!row) return null;
    await appendAuditEvent(tx, {
      ...audit,
      workspaceId,
      action: 'ci_trust_policy.delete',
      resource: { type: 'ci_trust_policy', id: row.id },
      outcome: 'allow',
      details: { name: row.name, issuer: row.issuer },
    });
    return row;
  });
}
