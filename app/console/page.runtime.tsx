import Link from '@/app/_components/link';
import { AppShell } from '@/app/_components/app-shell';
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { Badge, Card, EmptyState, Field, inputClass, PageHeader } from '@/app/_components/ui';
import { requireUser } from '@/lib/auth/guard';
import { listMemberships } from '@/lib/workspaces/store';
import { PasswordSavedNotice } from '@/app/_components/password-saved-notice';
import { createWorkspaceAction } from './actions';

export const metadata = { title: 'Workspaces' };

export default async function ConsoleHome({ searchParams }: { searchParams: Promise<{ passwordSet?: string }> }) {
  // Re-checked here whatever the middleware did (CVE-2025-29927).
  const { db, user } = await requireUser('/console');
  const passwordSet = (await searchParams).passwordSet === '1';
  const memberships = await listMemberships(db, user.id);
  const isAdmin = memberships.some((m) => m.role === 'admin');

  return (
    <AppShell user={user} workspace={null} memberships={memberships}>
      {passwordSet && <PasswordSavedNotice />}
      <PageHeader title="Workspaces" description="Each workspace has its own services, environments, policies, API tokens and audit log." />
      {memberships.length === 0 ? (
        <EmptyState title="You are not a member of any workspace yet">Ask an administrator of your Release Passport to invite you. The invitation link brings you straight in.</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {memberships.map(({ workspace, role }) => (
            <li key={workspace.id}>
              <Link
                href={`/console/${workspace.slug}`}
                className="block rounded-lg border border-slate-200 bg-white p-5 shadow-xs hover:border-brand-500 hover:shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:hover:border-brand-500"
              >
                <span className="flex items-start justify-between gap-3">
                  <span className="font-semibold">{workspace.name}</span>
                  <Badge tone={role === 'admin' ? 'brand' : 'neutral'}>{role}</Badge>
                </span>
                <span className="mt-1 block font-mono text-xs text-slate-500 dark:text-slate-400">{workspace.slug}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {isAdmin && (
        <Card title="New workspace" description="You become its admin; invite the others from its settings." className="mt-8 max-w-xl">
          <ActionForm action={createWorkspaceAction}>
            <Field id="ws-name" label="Name" name="name">
              <input id="ws-name" name="name" required maxLength={100} aria-describedby="ws-name-error" className={inputClass} />
            </Field>
            <Field id="ws-slug" label="Slug" hint="In addresses and the CLI: lowercase letters, digits and hyphens." name="slug">
              <input id="ws-slug" name="slug" required pattern="[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?" aria-describedby="ws-slug-hint ws-slug-error" className={`${inputClass} font-mono`} />
            </Field>
            <SubmitButton>Create workspace</SubmitButton>
          </ActionForm>
        </Card>
      )}
    </AppShell>
  );
}
