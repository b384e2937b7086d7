import type { ReactNode } from 'react';
import type { Verb } from '@/lib/access/verbs';
import { requireMember } from '@/lib/auth/guard';

/**
 * A section layout that checks `verb` outside the section's loading boundary: a member without it
 * gets a real 403 before anything streams (a check inside Suspense can only swap the content under
 * a 200 already sent). The section's pages check again for themselves.
 */
export function verbLayout(verb: Verb, pathOf: (slug: string) => string) {
  return async function VerbLayout({ children, params }: { children: ReactNode; params: Promise<{ workspace: string }> }) {
    const { workspace } = await params;
    await requireMember(workspace, verb, pathOf(workspace));
    return children;
  };
}
