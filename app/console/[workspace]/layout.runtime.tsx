import type { ReactNode } from 'react';
import { AppShell } from '@/app/_components/app-shell';
import { requireMember } from '@/lib/auth/guard';

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const member = await requireMember(slug, null, `/console/${slug}`);
  return (
    <AppShell user={member.user} workspace={member.workspace} role={member.role} memberships={member.memberships} can={member.can}>
      {children}
    </AppShell>
  );
}
