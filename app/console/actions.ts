'use server';
import { redirect } from 'next/navigation';
import { unstable_update } from '@/lib/auth/config';
import { requireUser } from '@/lib/auth/guard';
import { failed } from '@/lib/http/action-state';
import { createWorkspace, MembershipError } from '@/lib/workspaces/members';
import { listMemberships } from '@/lib/workspaces/store';
import { actionParam, stateAction } from '@/lib/http/server-action';

/**
 * A new workspace, with its creator as admin. Allowed to people who administer a workspace
 * already (the installation's admins); others ask one of them.
 */
export const createWorkspaceAction = stateAction('createWorkspaceAction', [actionParam.state, actionParam.form], async (_state, formData) => {
  const { db, user, audit } = await requireUser('/console');
  const memberships = await listMemberships(db, user.id);
  if (!memberships.some((m) => m.role === 'admin')) return failed('Only admins of a workspace can create new workspaces.');
  const name = String(formData.get('name') ?? '').trim();
  const slug = String(formData.get('slug') ?? '').trim().toLowerCase();
  try {
    await createWorkspace(db, { slug, name }, audit, user.id);
  } catch (error) {
    if (error instanceof MembershipError) return failed(error.message, error.field ? { [error.field]: error.message } : undefined);
    throw error;
  }
  await unstable_update({}); // the new workspace joins the session's claims
  redirect(`/console/${slug}`);
});
