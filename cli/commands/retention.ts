/**
 * `rp retention`: a workspace's retention policy, legal holds and an immediate run, for the
 * operator on the host (the console's settings page does the same for admins). On the embedded
 * database it runs beside a running server, as every `rp` command does.
 */
import type { Command } from 'commander';
import type { RuntimeDb } from '@/db/runtime';
import type { AuditContext } from '@/lib/audit/event';

interface WorkspaceOption {
  workspace: string;
}

export function registerRetention(program: Command): void {
  const retention = program.command('retention').description("a workspace's retention policy, legal holds, and purges");

  retention
    .command('show')
    .requiredOption('--workspace <slug>', 'the workspace')
    .description('the policy and what its last run removed')
    .action((options: WorkspaceOption) =>
      withWorkspace(options.workspace, async ({ db, workspace }) => {
        const { getRetentionPolicy } = await import('@/lib/retention/policy');
        const policy = await getRetentionPolicy(db, workspace.id);
        const days = (value: number | null) => (value === null ? 'kept indefinitely' : `${value} days`);
        console.log(
          `passports:   ${days(policy.passportsDays)}\nevidence:    ${days(policy.evidenceDays)}\naudit:       ${days(policy.auditDays)}\ndeployments: ${days(policy.deploymentsDays)} (ended periods; what runs now is kept)`,
        );
        if (policy.updatedAt) console.log(`updated ${policy.updatedAt.toISOString()} by ${policy.updatedBy}`);
        if (policy.lastRunAt) console.log(`last run ${policy.lastRunAt.toISOString()}: ${JSON.stringify(policy.lastRunResult)}`);
      }),
    );

  retention
    .command('set')
    .requiredOption('--workspace <slug>', 'the workspace')
    .option('--passports-days <n>', 'days passports (and their decisions) are kept; "keep" for indefinitely')
    .option('--evidence-days <n>', 'days evidence (rows and files) is kept; "keep" for indefinitely')
    .option('--audit-days <n>', 'days audit events are kept (at least 30); "keep" for indefinitely')
    .option('--deployments-days <n>', 'days deployment periods are kept once they ended (what runs now always is); "keep" for indefinitely')
    .description('set the policy (unnamed parts keep their current value)')
    .action((options: WorkspaceOption & { passportsDays?: string; evidenceDays?: string; auditDays?: string; deploymentsDays?: string }) =>
      withWorkspace(options.workspace, async ({ db, workspace, audit }) => {
        const { getRetentionPolicy, setRetentionPolicy } = await import('@/lib/retention/policy');
        const current = await getRetentionPolicy(db, workspace.id);
        const parse = (value: string | undefined, fallback: number | null) => (value === undefined ? fallback : value === 'keep' ? null : Number(value));
        const updated = await setRetentionPolicy(
          db,
          workspace.id,
          {
            passportsDays: parse(options.passportsDays, current.passportsDays),
            evidenceDays: parse(options.evidenceDays, current.evidenceDays),
            auditDays: parse(options.auditDays, current.auditDays),
            deploymentsDays: parse(options.deploymentsDays, current.deploymentsDays),
          },
          audit,
        );
        console.log(`retention of ${workspace.slug}: passports ${updated.passportsDays ?? 'keep'}, evidence ${updated.evidenceDays ?? 'keep'}, audit ${updated.auditDays ?? 'keep'}, deployments ${updated.deploymentsDays ?? 'keep'} (days)`);
      }),
    );

  retention
    .command('run')
    .requiredOption('--workspace <slug>', 'the workspace')
    .description('purge now what the policy no longer keeps')
    .action((options: WorkspaceOption) =>
      withWorkspace(options.workspace, async ({ db, workspace, audit }) => {
        const { runRetention } = await import('@/lib/retention/purge');
        const { deletePendingBlobs } = await import('@/lib/retention/blobs');
        const { getBlobStore } = await import('@/lib/storage');
        const run = await runRetention(db, workspace, { now: new Date(), actor: audit.actor });
        if (!run) {
          console.log(`${workspace.slug} has no retention policy: nothing is removed.`);
          return;
        }
        const sweep = await deletePendingBlobs(db, getBlobStore(), { workspaceId: workspace.id });
        console.log(JSON.stringify({ ...run, blobsDeleted: sweep.deleted, blobsFailed: sweep.failed }));
      }),
    );

  for (const [name, hold] of [
    ['hold', true],
    ['release', false],
  ] as const) {
    retention
      .command(name)
      .argument('<passport>', 'the passport id (64 hex characters)')
      .requiredOption('--workspace <slug>', 'the workspace')
      .option('--reason <text>', 'why it is held (a case or ticket reference)')
      .description(hold ? 'put a passport under legal hold: retention keeps it and the evidence it judged' : 'release a legal hold')
      .action((passport: string, options: WorkspaceOption & { reason?: string }) =>
        withWorkspace(options.workspace, async ({ db, workspace, audit }) => {
          const { setLegalHold } = await import('@/lib/retention/policy');
          const row = await setLegalHold(db, workspace.id, passport, { hold, reason: options.reason }, audit);
          console.log(`${row.id}: ${row.legalHold ? `under legal hold (${row.reason})` : 'not held'}`);
        }),
      );
  }
}

async function withWorkspace(
  slug: string,
  run: (context: {
    db: RuntimeDb;
    workspace: { id: string; slug: string };
    audit: AuditContext;
  }) => Promise<void>,
): Promise<void> {
  const { runtimeDatabase, getRuntimeDb } = await import('@/db/runtime');
  const { eq } = await import('drizzle-orm');
  const { workspaces } = await import('@/db/schema/runtime');
  const { ProblemError } = await import('@/lib/http/problem');
  const { cliActor } = await import('./secrets');
  try {
    const db = await getRuntimeDb();
    const [workspace] = await db.select({ id: workspaces.id, slug: workspaces.slug }).from(workspaces).where(eq(workspaces.slug, slug));
    if (!workspace) throw new Error(`No workspace "${slug}".`);
    await run({ db, workspace, audit: { actor: cliActor() } });
  } catch (error) {
    if (error instanceof ProblemError) throw new Error(error.message, { cause: error });
    throw error;
  } finally {
    await runtimeDatabase.close();
  }
}
