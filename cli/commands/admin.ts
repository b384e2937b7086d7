/**
 * `rp admin …`: headless administration for automation and first installs. Every change is
 * written through the same data-access functions the console uses, and audited with the
 * operator as actor. See cli/commands/runtime-db.ts for how the database is opened.
 */
import type { Command } from 'commander';
import type { RuntimeDb } from '@/db/runtime';
import type { WorkspaceRef } from '@/lib/workspaces/store';
import { csv, operatorAudit, parseDuration, readSecretInput, withRuntimeDb } from './runtime-db';

/** A validation problem of the shared schemas is a usage error here (exit 2), its message as it is. */
function asUsage<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { exitCode: 2 });
  }
}

async function withWorkspace(slug: string, run: (db: RuntimeDb, workspace: WorkspaceRef) => Promise<void>): Promise<void> {
  const { findWorkspaceBySlug } = await import('@/lib/workspaces/store');
  await withRuntimeDb(async (db) => {
    const workspace = await findWorkspaceBySlug(db, slug);
    if (!workspace) throw Object.assign(new Error(`There is no workspace "${slug}".`), { exitCode: 2 });
    await run(db, workspace);
  });
}

function print(json: boolean, value: unknown, text: string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text);
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administer the runtime: workspaces, people, API tokens, CI trust policies (DATABASE_URL, or the embedded database, shared with a running server or started for the command)');

  admin
    .command('create-workspace')
    .description('create a workspace, optionally with its first admin')
    .argument('<slug>', 'lowercase letters, digits and hyphens')
    .option('--name <name>', 'display name (default: the slug)')
    .option('--admin <email>', 'an existing person who becomes its admin')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { name?: string; admin?: string; json?: boolean }) => {
      const { createWorkspace } = await import('@/lib/workspaces/members');
      const { findUserByEmail } = await import('@/lib/auth/users');
      await withRuntimeDb(async (db) => {
        const adminUser = options.admin ? await findUserByEmail(db, options.admin) : null;
        if (options.admin && !adminUser) throw new Error(`There is no person with the email ${options.admin}: create them first (rp admin create-user).`);
        const workspace = await createWorkspace(db, { slug, name: options.name ?? slug }, operatorAudit('admin create-workspace'), adminUser?.id ?? null);
        print(Boolean(options.json), workspace, `Created workspace ${workspace.slug} (${workspace.name})${adminUser ? ` with admin ${adminUser.email}` : ''}.`);
      });
    });

  admin
    .command('create-user')
    .description('create a person; with a password they can sign in with a local account')
    .argument('<email>')
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--password-file <path>', 'read the password from a file')
    .option('--sign-in-link', 'print a one-time sign-in link (valid 24 hours) instead of setting a password')
    .option('--json', 'print JSON')
    .action(async (email: string, options: { name?: string; passwordStdin?: boolean; passwordFile?: string; signInLink?: boolean; json?: boolean }) => {
      const { createUser } = await import('@/lib/auth/users');
      const { createSignInLink } = await import('@/lib/auth/sign-in-links');
      const password = await readSecretInput(options);
      await withRuntimeDb(async (db) => {
        const result = await db.transaction(async (tx) => {
          const user = await createUser(tx, { email, name: options.name, password }, operatorAudit('admin create-user'));
          const link = options.signInLink ? await createSignInLink(tx, user.id, 24 * 3_600_000) : null;
          return { user, link };
        });
        print(
          Boolean(options.json),
          { id: result.user.id, email: result.user.email, localPassword: password !== null, signInLink: result.link?.url ?? null },
          `Created ${result.user.email}${password ? ' with a local password' : ''}.${result.link ? `\nOne-time sign-in link (24 hours): ${result.link.url}` : ''}`,
        );
      });
    });

  admin
    .command('sign-in-link')
    .description('print a one-time sign-in link for a person (valid 1 hour), e.g. a locked-out admin')
    .argument('<email>')
    .action(async (email: string) => {
      const { findUserByEmail } = await import('@/lib/auth/users');
      const { issueSignInLink } = await import('@/lib/auth/sign-in-links');
      await withRuntimeDb(async (db) => {
        const user = await findUserByEmail(db, email);
        if (!user) throw new Error(`There is no person with the email ${email}.`);
        const link = await issueSignInLink(db, { userId: user.id, ttlMs: 3_600_000 }, { workspaceId: null, audit: operatorAudit('admin sign-in-link') });
        console.log(`One-time sign-in link for ${user.email} (until ${link.expiresAt.toISOString()}):\n${link.url}`);
      });
    });

  for (const [command, disabled] of [['disable-user', true], ['enable-user', false]] as const) {
    admin
      .command(command)
      .description(
        disabled
          ? "disable a person's account: their sessions end, their sign-in links expire, and they sign in nowhere until enabled (API tokens, which belong to workspaces, keep working)"
          : 'enable a disabled account again',
      )
      .argument('<email>')
      .action(async (email: string) => {
        const { findUserByEmail } = await import('@/lib/auth/users');
        const { setAccountDisabled } = await import('@/lib/auth/account-status');
        await withRuntimeDb(async (db) => {
          const user = await findUserByEmail(db, email);
          if (!user) throw Object.assign(new Error(`There is no person with the email ${email}.`), { exitCode: 2 });
          const change = await setAccountDisabled(db, { userId: user.id, disabled }, { workspaceId: null, audit: operatorAudit(`admin ${command}`) });
          console.log(change === 'unchanged' ? `${user.email} was already ${disabled ? 'disabled' : 'enabled'}.` : `${user.email} is ${change} now.`);
        });
      });
  }

  admin
    .command('add-member')
    .description('give a person a role in a workspace')
    .argument('<workspace>', 'workspace slug')
    .argument('<email>')
    .requiredOption('--role <role>', 'admin, maintainer, developer or viewer')
    .action(async (slug: string, email: string, options: { role: string }) => {
      const { addMember, isRole } = await import('@/lib/workspaces/members');
      const { findWorkspaceBySlug } = await import('@/lib/workspaces/store');
      const { findUserByEmail } = await import('@/lib/auth/users');
      if (!isRole(options.role)) throw new Error(`"${options.role}" is not a role: use admin, maintainer, developer or viewer.`);
      const role = options.role;
      await withRuntimeDb(async (db) => {
        const workspace = await findWorkspaceBySlug(db, slug);
        if (!workspace) throw new Error(`There is no workspace "${slug}".`);
        const user = await findUserByEmail(db, email);
        if (!user) throw new Error(`There is no person with the email ${email}: create them first (rp admin create-user).`);
        await addMember(db, workspace.id, user.id, role, operatorAudit('admin add-member'));
        console.log(`${user.email} is now ${role} of ${workspace.slug}.`);
      });
    });

  admin
    .command('create-token')
    .description('create an API token for CI and print it (once: only its hash is kept)')
    .argument('<workspace>', 'workspace slug')
    .requiredOption('--name <name>', 'where it is used, e.g. "github-actions api"')
    .requiredOption('--scopes <scopes>', 'comma-separated: gate:evaluate,evidence:write,evidence:read,passport:read,policy:read')
    .option('--services <slugs>', 'limit to these services (comma-separated)')
    .option('--environments <slugs>', 'limit to these environments (comma-separated)')
    .option('--expires-in <duration>', 'lifetime, e.g. 30d or 12h (at most 366d)', '90d')
    .option('--dpop-jkt <thumbprint>', 'bind to a DPoP key: its RFC 7638 SHA-256 thumbprint')
    .option('--json', 'print JSON (the token in "token")')
    .action(async (slug: string, options: { name: string; scopes: string; services?: string; environments?: string; expiresIn: string; dpopJkt?: string; json?: boolean }) => {
      const { createApiToken } = await import('@/lib/tokens/store');
      const { findWorkspaceBySlug } = await import('@/lib/workspaces/store');
      const expiresAt = new Date(Date.now() + parseDuration(options.expiresIn));
      await withRuntimeDb(async (db) => {
        const workspace = await findWorkspaceBySlug(db, slug);
        if (!workspace) throw new Error(`There is no workspace "${slug}".`);
        const { token, record } = await createApiToken(
          db,
          workspace.id,
          { name: options.name, scopes: csv(options.scopes) ?? [], services: csv(options.services), environments: csv(options.environments), expiresAt, dpopJkt: options.dpopJkt ?? null },
          operatorAudit('admin create-token'),
        );
        if (options.json) {
          console.log(JSON.stringify({ token, id: record.id, workspace: workspace.slug, name: record.name, scopes: record.scopes, services: record.services, environments: record.environments, expiresAt: record.expiresAt }, null, 2));
        } else {
          console.error(`Created token "${record.name}" for ${workspace.slug} (${record.scopes.join(', ')}), expires ${record.expiresAt.toISOString()}.`);
          console.error('It is shown only this once: store it in your CI secret store now.');
          console.log(token);
        }
      });
    });

  admin
    .command('add-trust-policy')
    .description('trust a CI identity: matching runs exchange their OIDC ID token for a 15-minute gate token (no stored secret)')
    .argument('<workspace>', 'workspace slug')
    .requiredOption('--name <name>', 'e.g. "api releases from main"')
    .requiredOption('--issuer <issuer>', 'github, gitlab or an issuer URL (https)')
    .requiredOption('--audience <url>', 'the aud the ID token must carry: this runtime\'s URL')
    .requiredOption('--condition <claim=value...>', 'a claim condition; * matches any run of characters (repeat the flag for more)')
    .requiredOption('--scopes <scopes>', 'comma-separated: gate:evaluate,evidence:write,evidence:read,passport:read,policy:read')
    .option('--services <slugs>', 'limit to these services (comma-separated)')
    .option('--environments <slugs>', 'limit to these environments (comma-separated)')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { name: string; issuer: string; audience: string; condition: string[]; scopes: string; services?: string; environments?: string; json?: boolean }) => {
      const { conditionsFromLines, createTrustPolicy, parseTrustPolicyInput } = await import('@/lib/ci-identity/policies');
      const input = asUsage(() =>
        parseTrustPolicyInput({
          name: options.name,
          issuer: options.issuer,
          audience: options.audience,
          conditions: conditionsFromLines(options.condition),
          scopes: csv(options.scopes) ?? [],
          services: csv(options.services),
          environments: csv(options.environments),
        }),
      );
      await withWorkspace(slug, async (db, workspace) => {
        const created = await createTrustPolicy(db, workspace.id, input, operatorAudit('admin add-trust-policy'));
        if (created === 'name-taken') throw Object.assign(new Error(`${workspace.slug} has a trust policy named "${input.name}" already; choose another name.`), { exitCode: 2 });
        print(Boolean(options.json), created, `Added trust policy "${created.name}" to ${workspace.slug}: ${created.issuer}, aud ${created.audience}, ${Object.entries(created.conditions).map(([claim, value]) => `${claim}=${value}`).join(', ')} → ${created.scopes.join(', ')}.`);
      });
    });

  admin
    .command('list-trust-policies')
    .description("a workspace's CI trust policies")
    .argument('<workspace>', 'workspace slug')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      const { listTrustPolicies } = await import('@/lib/ci-identity/policies');
      await withWorkspace(slug, async (db, workspace) => {
        const policies = await listTrustPolicies(db, workspace.id);
        const lines = policies.map((policy) => `${policy.id}  ${policy.name}\n    ${policy.issuer}, aud ${policy.audience}\n    when ${Object.entries(policy.conditions).map(([claim, value]) => `${claim}=${value}`).join(', ')}\n    grants ${policy.scopes.join(', ')}; ${policy.services ? `services ${policy.services.join(', ')}` : 'all services'}; ${policy.environments ? `environments ${policy.environments.join(', ')}` : 'all environments'}`);
        print(Boolean(options.json), policies, lines.length ? lines.join('\n') : `${workspace.slug} has no trust policies: its pipelines need an API token.`);
      });
    });

  admin
    .command('remove-trust-policy')
    .description('remove a CI trust policy (gate tokens issued under it expire within 15 minutes)')
    .argument('<workspace>', 'workspace slug')
    .argument('<policy>', 'the policy\'s name or id')
    .action(async (slug: string, policyRef: string) => {
      const { deleteTrustPolicy, listTrustPolicies } = await import('@/lib/ci-identity/policies');
      await withWorkspace(slug, async (db, workspace) => {
        const policy = (await listTrustPolicies(db, workspace.id)).find((candidate) => candidate.id === policyRef || candidate.name === policyRef);
        if (!policy) throw Object.assign(new Error(`${workspace.slug} has no trust policy named "${policyRef}" (rp admin list-trust-policies ${workspace.slug}).`), { exitCode: 2 });
        await deleteTrustPolicy(db, workspace.id, policy.id, operatorAudit('admin remove-trust-policy'));
        console.log(`Removed trust policy "${policy.name}" from ${workspace.slug}.`);
      });
    });
}
