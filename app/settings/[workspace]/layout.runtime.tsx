import type { ReactNode } from 'react';
import { AppShell } from '@/app/_components/app-shell';
import { NavLink } from '@/app/_components/nav-link';
import { requireMember } from '@/lib/auth/guard';
import type { Verb } from '@/lib/access/verbs';

/**
 * The workspace's settings sections; the index (/settings/[workspace]) summarizes each.
 */
export const SETTINGS_NAV: Array<{ label: string; segment: string; verb: Verb | null }> = [
  { label: 'All settings', segment: '', verb: null },
  { label: 'Members', segment: 'members', verb: null },
  { label: 'API tokens', segment: 'tokens', verb: 'token.manage' },
  { label: 'CI identities', segment: 'ci-identities', verb: 'settings.read' },
  { label: 'Connectors', segment: 'connectors', verb: 'connector.read' },
  { label: 'Notifications', segment: 'notifications', verb: 'notification.manage' },
  { label: 'Secrets', segment: 'secrets', verb: 'settings.read' },
  { label: 'Retention', segment: 'retention', verb: 'settings.read' },
  { label: 'License', segment: 'license', verb: 'settings.read' },
  { label: 'Installation', segment: 'installation', verb: 'settings.write' },
];

export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, null, `/settings/${slug}`);
  return (
    <AppShell user={member.user} workspace={member.workspace} role={member.role} memberships={member.memberships} can={member.can}>
      <div className="flex flex-col gap-8 md:flex-row">
        <nav aria-label="Settings" className="md:w-48 md:shrink-0">
          <h2 className="mb-2 px-3 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Settings</h2>
          <ul className="flex gap-1 overflow-x-auto md:flex-col">
            {SETTINGS_NAV.filter((item) => item.verb === null || member.can(item.verb)).map((item) => (
              <li key={item.segment}>
                <NavLink href={item.segment ? `/settings/${slug}/${item.segment}` : `/settings/${slug}`} exact>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 flex-1">{children}</div>
      </div>
    </AppShell>
  );
}
