/**
 * Policies: one per scope (the workspace, a service, an environment, or a service in an
 * environment), versioned: every change writes a new version row, so history is complete and a
 * passport's policy id + version always resolves to the exact rules applied.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { policies, policyVersions } from '@/db/schema/runtime';
import type { AppliedPolicy } from '@/lib/gate/evaluate';
import { ProblemError } from '@/lib/http/problem';
import { parsePolicyDocument, policyHash, STARTER_POLICY, type PolicyDocument, type PolicyMode, type PolicyRule } from './schema';

export interface PolicyScope {
  serviceId: string | null;
  environmentId: string | null;
}

export function scopeKey(scope: PolicyScope): string {
  return `${scope.serviceId ?? '*'}|${scope.environmentId ?? '*'}`;
}

type PolicyRow = typeof policies.$inferSelect;

function applied(row: Pick<PolicyRow, 'id' | 'name' | 'version' | 'hash' | 'mode' | 'rules'>): AppliedPolicy {
  return { id: row.id, name: row.name, version: row.version, hash: row.hash, mode: row.mode, rules: row.rules as PolicyRule[] };
}

/** The most specific policy for a release: service+environment, service, environment, workspace. */
export async function resolvePolicy(db: RuntimeDb, workspaceId: string, scope: { serviceId: string; environmentId: string }): Promise<AppliedPolicy | null> {
  const order = [
    scopeKey(scope),
    scopeKey({ serviceId: scope.serviceId, environmentId: null }),
    scopeKey({ serviceId: null, environmentId: scope.environmentId }),
    scopeKey({ serviceId: null, environmentId: null }),
  ];
  const rows = await db
    .select({ id: policies.id, name: policies.name, version: policies.version, hash: policies.hash, mode: policies.mode, rules: policies.rules, scopeKey: policies.scopeKey })
    .from(policies)
    .where(and(eq(policies.workspaceId, workspaceId), inArray(policies.scopeKey, order)));
  const best = rows.sort((a, b) => order.indexOf(a.scopeKey) - order.indexOf(b.scopeKey))[0];
  return best ? applied(best) : null;
}

export interface SavePolicyInput {
  name?: string;
  document: unknown;
  reason?: string | null;
  createdBy?: string | null;
  /**
   * The version the change was made from (optimistic concurrency): when the policy has moved on
   * since (someone else saved), nothing is written and the answer is 409 with the current version.
   */
  expectedVersion?: number | null;
}

export interface SavedPolicy {
  policy: AppliedPolicy;
  created: boolean;
  /** False when the document was the same as the current version (no new version written). */
  changed: boolean;
}

/**
 * Creates the scope's policy or writes its next version. The document is validated (400 with
 * the field errors, via zod) and normalized (defaults applied) before it is hashed.
 */
export async function savePolicy(db: RuntimeDb, workspaceId: string, scope: PolicyScope, input: SavePolicyInput): Promise<SavedPolicy> {
  let document: PolicyDocument;
  try {
    document = parsePolicyDocument(input.document);
  } catch (error) {
    const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues ?? [];
    throw new ProblemError('validation-failed', `The policy is not valid: ${issues.map((issue) => `${issue.path.join('.') || '(policy)'}: ${issue.message}`).join('; ')}`, {
      errors: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  const hash = policyHash(document);
  const key = scopeKey(scope);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(policies)
      .where(and(eq(policies.workspaceId, workspaceId), eq(policies.scopeKey, key)))
      .for('update');
    if (input.expectedVersion != null && (current?.version ?? 0) !== input.expectedVersion) {
      throw await versionConflict(tx, workspaceId, current, input.expectedVersion);
    }
    const name = input.name ?? current?.name ?? (key === '*|*' ? 'Workspace policy' : 'Release policy');
    if (current && current.name === name && (current.hash === hash || sameOnceNormalized(current, hash))) return { policy: applied(current), created: false, changed: false };
    const version = (current?.version ?? 0) + 1;
    const values = { name, mode: document.mode, rules: document.rules, hash, version, updatedAt: new Date() };
    const [row] = current
      ? await tx.update(policies).set(values).where(and(eq(policies.id, current.id), eq(policies.workspaceId, workspaceId))).returning()
      : await tx.insert(policies).values({ workspaceId, serviceId: scope.serviceId, environmentId: scope.environmentId, scopeKey: key, ...values }).returning();
    await tx.insert(policyVersions).values({
      workspaceId,
      policyId: row!.id,
      version,
      name,
      mode: document.mode,
      rules: document.rules,
      hash,
      reason: input.reason ?? null,
      createdBy: input.createdBy ?? null,
    });
    return { policy: applied(row!), created: !current, changed: true };
  });
}

/**
 * A version saved before a rule parameter gained a default lacks it, and the same rules saved
 * again now carry it: the same policy, not a new version (nothing a person changed).
 */
function sameOnceNormalized(current: PolicyRow, hash: string): boolean {
  try {
    return policyHash(parsePolicyDocument({ mode: current.mode, rules: current.rules })) === hash;
  } catch {
    return false; // a stored version today's schema refuses differs from anything it accepts
  }
}

/** 409: the policy was saved by someone else after `expected`; says who, when, and the version now. */
async function versionConflict(db: RuntimeDb, workspaceId: string, current: PolicyRow | undefined, expected: number): Promise<ProblemError> {
  if (!current) return new ProblemError('conflict', 'This policy no longer exists; nothing was saved.', { extensions: { currentVersion: null } });
  const [latest] = await db
    .select({ createdBy: policyVersions.createdBy, createdAt: policyVersions.createdAt })
    .from(policyVersions)
    .where(and(eq(policyVersions.workspaceId, workspaceId), eq(policyVersions.policyId, current.id), eq(policyVersions.version, current.version)));
  const by = latest?.createdBy ? ` by ${latest.createdBy}` : '';
  const at = latest ? ` at ${latest.createdAt.toISOString()}` : '';
  return new ProblemError(
    'conflict',
    `The policy changed while you were editing: you started from version ${expected}, and version ${current.version} was saved${by}${at}. Nothing was saved; reload to see that change, then make yours again.`,
    { errors: [{ path: 'version', message: `Changed meanwhile: the current version is ${current.version}${by}.` }], extensions: { currentVersion: current.version, expectedVersion: expected } },
  );
}

/**
 * The policy for a release. When none applies (the workspace's first pipeline), the starter
 * policy is created as the workspace-wide policy, in shadow mode: judged and recorded, never
 * blocking, until someone moves it to advisory or enforce. Workspace-wide rather than for this
 * service and environment, so that policies written later for the workspace, a service or an
 * environment are not shadowed by an automatic one.
 */
export async function policyForRelease(db: RuntimeDb, workspaceId: string, scope: { serviceId: string; environmentId: string }): Promise<{ policy: AppliedPolicy; created: boolean }> {
  const existing = await resolvePolicy(db, workspaceId, scope);
  if (existing) return { policy: existing, created: false };
  try {
    const saved = await savePolicy(db, workspaceId, { serviceId: null, environmentId: null }, {
      name: 'Starter policy',
      document: STARTER_POLICY,
      reason: 'Created on the first gate evaluation of the workspace (shadow mode: recorded, never blocking).',
      createdBy: 'release-passport',
    });
    return { policy: saved.policy, created: saved.created };
  } catch (error) {
    // Two first evaluations at once: the other one created it.
    const raced = await resolvePolicy(db, workspaceId, scope);
    if (raced) return { policy: raced, created: false };
    throw error;
  }
}

/** One version of a policy, as applied then (for replays and the console's history). */
export async function policyVersion(db: RuntimeDb, workspaceId: string, policyId: string, version: number): Promise<AppliedPolicy | null> {
  const [row] = await db
    .select({ version: policyVersions.version, hash: policyVersions.hash, mode: policyVersions.mode, rules: policyVersions.rules, name: policyVersions.name })
    .from(policyVersions)
    .where(and(eq(policyVersions.workspaceId, workspaceId), eq(policyVersions.policyId, policyId), eq(policyVersions.version, version)));
  return row ? applied({ ...row, id: policyId }) : null;
}

export interface PolicyHistoryEntry {
  version: number;
  mode: PolicyMode;
  hash: string;
  reason: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export async function policyHistory(db: RuntimeDb, workspaceId: string, policyId: string): Promise<PolicyHistoryEntry[]> {
  return db
    .select({ version: policyVersions.version, mode: policyVersions.mode, hash: policyVersions.hash, reason: policyVersions.reason, createdBy: policyVersions.createdBy, createdAt: policyVersions.createdAt })
    .from(policyVersions)
    .where(and(eq(policyVersions.workspaceId, workspaceId), eq(policyVersions.policyId, policyId)))
    .orderBy(desc(policyVersions.version));
}
