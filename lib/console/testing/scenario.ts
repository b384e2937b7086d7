/**
 * A workspace with a story, for the console's tests (vitest and the Playwright seed): people in
 * every role, evidence uploaded and judged by the real gate (lib/gate/service), policies saved
 * through lib/policy/store. Nothing is mocked: every row is written by the product's own code.
 *
 *   checkout → staging     v1 allowed under the workspace policy; then a checkout policy
 *                          (enforce, 1 maintainer approval) denies v2: BLOCKED until approved
 *   checkout → production  same v2, enforce without a production license: applied as advisory
 *   payments → staging     a high SARIF finding and a 10-day-old SBOM: denied in advisory, and stale
 */
import type { RuntimeDb } from '@/db/runtime';
import type { Role } from '@/db/schema/runtime';
import { ROLES } from '@/lib/domain/primitives';
import { uploadEvidence } from '@/lib/evidence/store';
import { cyclonedx, sarif } from '@/lib/evidence/testing/fixtures';
import { createEnvironment } from '@/lib/catalog/store';
import { ensureService } from '@/lib/gate/catalog';
import { evaluateGateRequest, type GateOutcome } from '@/lib/gate/service';
import { savePolicy } from '@/lib/policy/store';
import type { BlobStore } from '@/lib/storage';
import { testMember, testWorkspace } from '@/lib/testing/identity';
import type { UserRecord } from '@/lib/auth/users';
import type { WorkspaceRef } from '@/lib/workspaces/store';

export const IMAGE_V1 = `sha256:${'1'.repeat(64)}`;
export const IMAGE_V2 = `sha256:${'2'.repeat(64)}`;
export const SOURCE_V1 = 'a'.repeat(40);
export const SOURCE_V2 = 'b'.repeat(40);

export interface Scenario {
  workspace: WorkspaceRef;
  members: Record<Role, UserRecord>;
  passwords: Record<Role, string>;
  checkoutPolicyId: string;
  workspacePolicyId: string;
  outcomes: { checkoutV1: GateOutcome; checkoutBlocked: GateOutcome; checkoutProduction: GateOutcome; payments: GateOutcome };
  /** Stored digests of uploaded evidence (the evidence viewer's addresses). */
  evidence: { sbom: string; findings: string };
}

const DAY = 86_400_000;

export async function seedScenario(db: RuntimeDb, store: BlobStore, options: { slug?: string; emailDomain?: string; now?: Date } = {}): Promise<Scenario> {
  const now = options.now ?? new Date();
  const workspace = await testWorkspace(db, options.slug, options.slug ? `Acme ${options.slug}` : undefined);
  const domain = options.emailDomain ?? 'example.test';
  const roles: readonly Role[] = ROLES;
  const passwords = Object.fromEntries(roles.map((role) => [role, `correct horse ${role} battery`])) as Record<Role, string>;
  const members = {} as Record<Role, UserRecord>;
  for (const role of roles) members[role] = await testMember(db, workspace, role, { email: `${role}@${domain}`, password: passwords[role] });

  const upload = async (kind: 'sbom' | 'sarif', document: unknown, service: string, collectedAt: Date) => {
    const bytes = Buffer.from(JSON.stringify(document));
    const { record } = await uploadEvidence(db, workspace.id, store, {
      kind,
      contentType: 'application/json',
      contentLength: bytes.length,
      body: [new Uint8Array(bytes)],
      service,
      source: 'github-actions',
      collectedAt,
      createdBy: 'token ci-deploy',
    });
    return record.sha256;
  };
  const evaluate = (service: string, environment: string, image: string, source: string, evidence: string[], at: Date) =>
    evaluateGateRequest(db, workspace, { service, environment, sourceSha: source, imageDigest: image, chartVersion: '4.2.0', evidence, artifacts: [] }, { actorLabel: 'token ci-deploy', now: at });

  // The workspace policy, in advisory mode: what every service must show.
  const workspacePolicy = await savePolicy(db, workspace.id, { serviceId: null, environmentId: null }, {
    name: 'Workspace policy',
    document: {
      mode: 'advisory',
      rules: [
        { id: 'sbom', type: 'sbom-present', description: 'An SBOM lists what ships.' },
        { id: 'no-critical-or-high', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
        { id: 'fresh-sbom', type: 'evidence-required', kind: 'sbom', maxAgeHours: 168, description: 'The SBOM was made this week.' },
      ],
    },
    reason: 'Baseline for every service.',
    createdBy: members.admin.email,
  });

  const sbom = await upload('sbom', cyclonedx([{ name: 'left-pad', license: 'MIT' }, { name: 'express', license: 'MIT' }]), 'checkout', new Date(now.getTime() - 2 * 3_600_000));
  const clean = await upload('sarif', sarif([]), 'checkout', new Date(now.getTime() - 2 * 3_600_000));
  const checkoutV1 = await evaluate('checkout', 'staging', IMAGE_V1, SOURCE_V1, [sbom, clean], new Date(now.getTime() - 90 * 60_000));

  // checkout gets its own, stricter policy: enforce, and a maintainer signs off every release.
  const checkout = await ensureService(db, workspace.id, 'checkout');
  const checkoutPolicy = await savePolicy(db, workspace.id, { serviceId: checkout.id, environmentId: null }, {
    name: 'Checkout release policy',
    document: {
      mode: 'enforce',
      rules: [
        { id: 'sbom', type: 'sbom-present' },
        { id: 'no-critical-or-high', type: 'sarif-severity', limits: { critical: 0, high: 0 } },
        { id: 'maintainer-approval', type: 'approvals', count: 1, role: 'maintainer', description: 'A maintainer signs off every checkout release.' },
      ],
    },
    reason: 'Checkout handles payments: enforce, with a sign-off.',
    createdBy: members.admin.email,
  });
  const checkoutBlocked = await evaluate('checkout', 'staging', IMAGE_V2, SOURCE_V2, [sbom, clean], new Date(now.getTime() - 30 * 60_000));
  // An admin classified production before its first release (the gate would create it non-production).
  const adminActor = { type: 'member' as const, userId: members.admin.id, email: members.admin.email, name: members.admin.name, workspaceId: workspace.id, role: 'admin' as const, sessionId: null };
  await createEnvironment(db, workspace.id, adminActor, { slug: 'production', name: 'Production', tier: 'production' }, { actor: { type: 'user', id: members.admin.id, label: members.admin.email } });
  const checkoutProduction = await evaluate('checkout', 'production', IMAGE_V2, SOURCE_V2, [sbom, clean], new Date(now.getTime() - 20 * 60_000));

  const oldSbom = await upload('sbom', cyclonedx([{ name: 'lodash', license: 'MIT' }]), 'payments', new Date(now.getTime() - 10 * DAY));
  const findings = await upload(
    'sarif',
    sarif(
      [{ ruleId: 'js/sql-injection', level: 'error', file: 'src/db/orders.ts', line: 42 }],
      [{ id: 'js/sql-injection', title: 'Database query built from user-controlled sources', helpUri: 'https://codeql.github.com/codeql-query-help/javascript/js-sql-injection/' }],
    ),
    'payments',
    new Date(now.getTime() - 3_600_000),
  );
  const payments = await evaluate('payments', 'staging', IMAGE_V1, SOURCE_V1, [oldSbom, findings], new Date(now.getTime() - 10 * 60_000));

  return {
    workspace,
    members,
    passwords,
    checkoutPolicyId: checkoutPolicy.policy.id,
    workspacePolicyId: workspacePolicy.policy.id,
    outcomes: { checkoutV1, checkoutBlocked, checkoutProduction, payments },
    evidence: { sbom, findings },
  };
}
