/**
 * Policies in the console: the list, one policy with its version history and the differences
 * between versions, edits and mode switches (validated with the policy schema, audited in the
 * transaction that writes the new version), and the shadow report: the stored inputs of past
 * decisions judged again with a candidate policy, so a team sees what enforcing it would block
 * before anyone switches it on.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { environments, gateDecisions, policies, policyVersions, releases, services, type PolicyMode } from '@/db/schema/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { evaluateRelease, type AppliedPolicy } from '@/lib/gate/evaluate';
import { gateInputsSchema } from '@/lib/gate/inputs';
import { ProblemError, type FieldError } from '@/lib/http/problem';
import { diffJson } from '@/lib/passport/diff';
import { policyDocumentSchema, policyHash, type PolicyDocument, type PolicyRule } from '@/lib/policy/schema';
import { savePolicy, scopeKey } from '@/lib/policy/store';
import { authorizeConsole, type ConsoleCaller } from './authorize';
import { plural } from '@/lib/text/plural';

export interface PolicySummary {
  id: string;
  name: string;
  service: string | null;
  environment: string | null;
  production: boolean;
  mode: PolicyMode;
  version: number;
  rules: number;
  updatedAt: Date;
}

async function policyRows(db: RuntimeDb, workspaceId: string, policyId?: string) {
  return db
    .select({ policy: policies, service: services.slug, environment: environments.slug, production: environments.production })
    .from(policies)
    .leftJoin(services, and(eq(services.id, policies.serviceId), eq(services.workspaceId, workspaceId)))
    .leftJoin(environments, and(eq(environments.id, policies.environmentId), eq(environments.workspaceId, workspaceId)))
    .where(and(eq(policies.workspaceId, workspaceId), policyId ? eq(policies.id, policyId) : undefined))
    .orderBy(asc(policies.scopeKey));
}

function summaryOf({ policy, service, environment, production }: Awaited<ReturnType<typeof policyRows>>[number]): PolicySummary {
  return {
    id: policy.id,
    name: policy.name,
    service,
    environment,
    production: production ?? false,
    mode: policy.mode,
    version: policy.version,
    rules: (policy.rules as unknown[]).length,
    updatedAt: policy.updatedAt,
  };
}

export async function listPolicies(db: RuntimeDb, workspaceId: string): Promise<PolicySummary[]> {
  const rows = await policyRows(db, workspaceId);
  return rows
    .map(summaryOf)
    // Workspace-wide first, then by how specific, then by name: the order the gate resolves in, reversed.
    .sort((a, b) => Number(a.service !== null) + Number(a.environment !== null) - (Number(b.service !== null) + Number(b.environment !== null)) || a.name.localeCompare(b.name));
}

export interface VersionChange {
  version: number;
  mode: PolicyMode;
  name: string;
  hash: string;
  reason: string | null;
  createdBy: string | null;
  createdAt: Date;
  /** Against the version before (empty for the first). */
  changes: Array<{ kind: 'mode' | 'name' | 'added' | 'removed' | 'changed'; ruleId?: string; text: string; details?: Array<{ path: string; before: unknown; after: unknown }> }>;
}

export interface PolicyDetail extends PolicySummary {
  hash: string;
  document: PolicyDocument;
  history: VersionChange[];
}

/** Differences between two versions of a policy, rule by rule (rules are matched by id). */
export function versionChanges(before: { mode: PolicyMode; name: string; rules: PolicyRule[] } | null, after: { mode: PolicyMode; name: string; rules: PolicyRule[] }): VersionChange['changes'] {
  if (!before) return [{ kind: 'added', text: `created with ${plural(after.rules.length, 'rule')} in ${after.mode} mode` }];
  const changes: VersionChange['changes'] = [];
  if (before.mode !== after.mode) changes.push({ kind: 'mode', text: `mode ${before.mode} → ${after.mode}` });
  if (before.name !== after.name) changes.push({ kind: 'name', text: `renamed "${before.name}" → "${after.name}"` });
  const old = new Map(before.rules.map((rule) => [rule.id, rule]));
  const now = new Map(after.rules.map((rule) => [rule.id, rule]));
  for (const rule of after.rules) {
    const previous = old.get(rule.id);
    if (!previous) changes.push({ kind: 'added', ruleId: rule.id, text: `rule ${rule.id} (${rule.type}) added` });
    else {
      const differences = diffJson(previous, rule, '$');
      if (differences.length) {
        changes.push({
          kind: 'changed',
          ruleId: rule.id,
          text: `rule ${rule.id} changed`,
          details: differences.map((difference) => ({ path: difference.path.replace(/^\$\.?/, ''), before: difference.stored, after: difference.replayed })),
        });
      }
    }
  }
  for (const rule of before.rules) if (!now.has(rule.id)) changes.push({ kind: 'removed', ruleId: rule.id, text: `rule ${rule.id} (${rule.type}) removed` });
  return changes;
}

export async function policyDetail(db: RuntimeDb, workspaceId: string, policyId: string): Promise<PolicyDetail | null> {
  if (!/^[0-9a-f-]{36}$/.test(policyId)) return null;
  const [row] = await policyRows(db, workspaceId, policyId);
  if (!row) return null;
  const versions = await db
    .select()
    .from(policyVersions)
    .where(and(eq(policyVersions.workspaceId, workspaceId), eq(policyVersions.policyId, policyId)))
    .orderBy(asc(policyVersions.version));
  const history: VersionChange[] = versions.map((version, index) => {
    const previous = index > 0 ? versions[index - 1]! : null;
    return {
      version: version.version,
      mode: version.mode,
      name: version.name,
      hash: version.hash,
      reason: version.reason,
      createdBy: version.createdBy,
      createdAt: version.createdAt,
      changes: versionChanges(
        previous ? { mode: previous.mode, name: previous.name, rules: previous.rules as PolicyRule[] } : null,
        { mode: version.mode, name: version.name, rules: version.rules as PolicyRule[] },
      ),
    };
  });
  const { policy } = row;
  return {
    ...summaryOf(row),
    hash: policy.hash,
    document: { mode: policy.mode, rules: policy.rules as PolicyRule[] },
    history: history.reverse(),
  };
}

/**
 * Validates a candidate document with the policy schema; field errors name the rule ("rules.2"
 * becomes the form field `rule-2`) so the form shows each next to its rule.
 */
export function validatePolicyDocument(input: unknown): { document: PolicyDocument; errors: null } | { document: null; errors: FieldError[] } {
  const parsed = policyDocumentSchema.safeParse(input);
  if (parsed.success) return { document: parsed.data as PolicyDocument, errors: null };
  // One message per field: a rule with two wrong parameters names both.
  const byField = new Map<string, string[]>();
  for (const issue of parsed.error.issues) {
    const [top, index, ...rest] = issue.path.map(String);
    const field = top === 'rules' && index !== undefined ? `rule-${index}` : (top ?? 'policy');
    byField.set(field, [...(byField.get(field) ?? []), rest.length ? `${rest.join('.')}: ${issue.message}` : issue.message]);
  }
  return { document: null, errors: [...byField].map(([path, messages]) => ({ path, message: messages.join('; ') })) };
}

async function requirePolicy(db: RuntimeDb, workspaceId: string, policyId: string) {
  const [row] = await policyRows(db, workspaceId, policyId);
  if (!row) throw new ProblemError('not-found', 'There is no such policy in this workspace.');
  return row;
}

async function writeVersion(
  db: RuntimeDb,
  caller: ConsoleCaller,
  row: Awaited<ReturnType<typeof requirePolicy>>,
  input: { document: PolicyDocument; reason: string | null; action: string; details: Record<string, unknown>; expectedVersion?: number | null },
): Promise<{ version: number; changed: boolean }> {
  const { policy } = row;
  return db.transaction(async (tx) => {
    const saved = await savePolicy(tx, caller.workspace.id, { serviceId: policy.serviceId, environmentId: policy.environmentId }, {
      document: input.document,
      reason: input.reason,
      createdBy: caller.actor.email,
      // The document is built on the row read above (its mode, or its rules): if the policy moved
      // on since, writing it would undo someone's change. The editor's own version wins if given.
      expectedVersion: input.expectedVersion ?? policy.version,
    });
    if (saved.changed) {
      await appendAuditEvent(tx, {
        ...caller.audit,
        workspaceId: caller.workspace.id,
        action: input.action,
        resource: { type: 'policy', id: policy.id },
        outcome: 'allow',
        reason: input.reason,
        details: { name: policy.name, fromVersion: policy.version, toVersion: saved.policy.version, hash: saved.policy.hash, ...input.details },
      });
    }
    return { version: saved.policy.version, changed: saved.changed };
  });
}

/** Saves new rules (same mode) as the policy's next version. */
export async function updatePolicyRules(
  db: RuntimeDb,
  caller: ConsoleCaller,
  policyId: string,
  input: { rules: unknown[]; reason: string | null; expectedVersion?: number | null },
): Promise<{ version: number; changed: boolean }> {
  const row = await requirePolicy(db, caller.workspace.id, policyId);
  await authorizeConsole(db, caller, 'policy.write', { action: 'policy.update', resource: { type: 'policy', id: policyId } });
  const checked = validatePolicyDocument({ mode: row.policy.mode, rules: input.rules });
  if (checked.errors) throw new ProblemError('validation-failed', 'The policy is not valid; nothing was saved.', { errors: checked.errors });
  const changes = versionChanges(
    { mode: row.policy.mode, name: row.policy.name, rules: row.policy.rules as PolicyRule[] },
    { mode: row.policy.mode, name: row.policy.name, rules: checked.document.rules },
  );
  return writeVersion(db, caller, row, {
    document: checked.document,
    reason: input.reason?.trim() || null,
    action: 'policy.update',
    details: { changes: changes.map((change) => change.text) },
    expectedVersion: input.expectedVersion,
  });
}

/** Switches the mode (shadow → advisory → enforce, or back), with the reason people will read later. */
export async function switchPolicyMode(
  db: RuntimeDb,
  caller: ConsoleCaller,
  policyId: string,
  input: { mode: PolicyMode; reason: string; expectedVersion?: number | null },
): Promise<{ version: number; changed: boolean }> {
  const row = await requirePolicy(db, caller.workspace.id, policyId);
  await authorizeConsole(db, caller, 'policy.write', { action: 'policy.mode_change', resource: { type: 'policy', id: policyId } });
  const reason = input.reason.trim();
  if (reason.length < 3) {
    throw new ProblemError('validation-failed', 'Say why the mode changes: the audit log and the version history keep the reason.', {
      errors: [{ path: 'reason', message: 'Give a reason (at least 3 characters).' }],
    });
  }
  if (row.policy.mode === input.mode) {
    throw new ProblemError('validation-failed', `The policy is already in ${input.mode} mode.`, { errors: [{ path: 'mode', message: `Already ${input.mode}.` }] });
  }
  const document = { mode: input.mode, rules: row.policy.rules as PolicyRule[] };
  return writeVersion(db, caller, row, { document, reason, action: 'policy.mode_change', details: { from: row.policy.mode, to: input.mode }, expectedVersion: input.expectedVersion });
}

/** A new policy for a service and/or environment, starting as a copy of the policy that applies there today, in shadow mode. */
export async function createScopedPolicy(
  db: RuntimeDb,
  caller: ConsoleCaller,
  input: { service: string | null; environment: string | null; copyFrom: string; name: string },
): Promise<{ id: string }> {
  await authorizeConsole(db, caller, 'policy.write', { action: 'policy.create', resource: { type: 'policy' } });
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name || name.length > 100) errors.push({ path: 'name', message: 'Give the policy a name of 1-100 characters.' });
  if (!input.service && !input.environment) errors.push({ path: 'service', message: 'Choose a service, an environment, or both (the workspace policy already covers everything else).' });
  const [service] = input.service ? await db.select({ id: services.id }).from(services).where(and(eq(services.workspaceId, caller.workspace.id), eq(services.slug, input.service))) : [];
  const [environment] = input.environment
    ? await db.select({ id: environments.id }).from(environments).where(and(eq(environments.workspaceId, caller.workspace.id), eq(environments.slug, input.environment)))
    : [];
  if (input.service && !service) errors.push({ path: 'service', message: `There is no service "${input.service}".` });
  if (input.environment && !environment) errors.push({ path: 'environment', message: `There is no environment "${input.environment}".` });
  const source = await requirePolicy(db, caller.workspace.id, input.copyFrom).catch(() => null);
  if (!source) errors.push({ path: 'copyFrom', message: 'Choose the policy to start from.' });
  if (errors.length) throw new ProblemError('validation-failed', 'The new policy was not created.', { errors });
  const scope = { serviceId: service?.id ?? null, environmentId: environment?.id ?? null };
  const [existing] = await db.select({ id: policies.id }).from(policies).where(and(eq(policies.workspaceId, caller.workspace.id), eq(policies.scopeKey, scopeKey(scope))));
  if (existing) throw new ProblemError('conflict', 'A policy for exactly this service and environment exists already: edit it instead.', { errors: [{ path: 'service', message: 'Already has a policy.' }] });
  return db.transaction(async (tx) => {
    const saved = await savePolicy(tx, caller.workspace.id, scope, {
      name,
      document: { mode: 'shadow', rules: source!.policy.rules },
      reason: `Created from "${source!.policy.name}" v${source!.policy.version}, in shadow mode.`,
      createdBy: caller.actor.email,
    });
    await appendAuditEvent(tx, {
      ...caller.audit,
      workspaceId: caller.workspace.id,
      action: 'policy.create',
      resource: { type: 'policy', id: saved.policy.id },
      outcome: 'allow',
      details: { name, service: input.service, environment: input.environment, copiedFrom: { id: source!.policy.id, version: source!.policy.version } },
    });
    return { id: saved.policy.id };
  });
}

export interface ShadowReport {
  /** Past decisions judged again (the most recent first, at most `limit`). */
  judged: number;
  releases: number;
  /** Would be denied by the candidate: blocked once it is enforced. */
  wouldDeny: number;
  wouldWarn: number;
  wouldAllow: number;
  /** Distinct releases the candidate would deny. */
  releasesDenied: number;
  /** Decisions whose outcome differs from the one recorded. */
  changed: number;
  /** Would be blocked in the candidate's own mode (after the production license rule). */
  wouldBlock: number;
  examples: Array<{ passportId: string | null; service: string; environment: string; recorded: string; candidate: string; evaluatedAt: Date; reasons: string[] }>;
  since: Date | null;
}

/**
 * Judges the stored inputs of this policy's recent decisions again with `candidate` (through
 * lib/gate's evaluator, at each decision's own evaluation time, so freshness is judged as it was).
 */
export async function shadowReport(db: RuntimeDb, workspaceId: string, policyId: string, candidate: PolicyDocument, limit = 500): Promise<ShadowReport> {
  const rows = await db
    .select({
      inputs: gateDecisions.inputs,
      evaluatedAt: gateDecisions.evaluatedAt,
      decision: gateDecisions.decision,
      releaseId: gateDecisions.releaseId,
      passportId: gateDecisions.passportId,
      service: services.slug,
      environment: environments.slug,
    })
    .from(gateDecisions)
    .innerJoin(releases, and(eq(releases.id, gateDecisions.releaseId), eq(releases.workspaceId, workspaceId)))
    .innerJoin(services, and(eq(services.id, releases.serviceId), eq(services.workspaceId, workspaceId)))
    .innerJoin(environments, and(eq(environments.id, releases.environmentId), eq(environments.workspaceId, workspaceId)))
    .where(and(eq(gateDecisions.workspaceId, workspaceId), eq(gateDecisions.policyId, policyId)))
    .orderBy(desc(gateDecisions.createdAt))
    .limit(limit);
  const applied: AppliedPolicy = { id: policyId, name: 'candidate', version: 0, hash: policyHash(candidate), ...candidate };
  const report: ShadowReport = { judged: 0, releases: 0, wouldDeny: 0, wouldWarn: 0, wouldAllow: 0, releasesDenied: 0, changed: 0, wouldBlock: 0, examples: [], since: null };
  const releasesSeen = new Set<string>();
  const releasesDenied = new Set<string>();
  for (const row of rows) {
    const inputs = gateInputsSchema.safeParse(row.inputs);
    if (!inputs.success) continue;
    const evaluation = evaluateRelease(inputs.data, applied, row.evaluatedAt.toISOString());
    report.judged++;
    report.since = row.evaluatedAt;
    releasesSeen.add(row.releaseId);
    if (evaluation.decision === 'deny') {
      report.wouldDeny++;
      releasesDenied.add(row.releaseId);
    } else if (evaluation.decision === 'warn') report.wouldWarn++;
    else report.wouldAllow++;
    if (evaluation.blocking) report.wouldBlock++;
    if (evaluation.decision !== row.decision) {
      report.changed++;
      if (report.examples.length < 20) {
        report.examples.push({
          passportId: row.passportId,
          service: row.service,
          environment: row.environment,
          recorded: row.decision,
          candidate: evaluation.decision,
          evaluatedAt: row.evaluatedAt,
          reasons: evaluation.reasons.filter((reason) => reason.effect !== 'none').map((reason) => `${reason.ruleId}: ${reason.message}`),
        });
      }
    }
  }
  report.releases = releasesSeen.size;
  report.releasesDenied = releasesDenied.size;
  return report;
}
