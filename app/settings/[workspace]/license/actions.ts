'use server';

import { redirect } from 'next/navigation';
import { requireMember } from '@/lib/auth/guard';
import { ProblemError } from '@/lib/http/problem';
import { installLicenseAs } from '@/lib/license/settings';
import { actionParam, formAction } from '@/lib/http/server-action';

/** Installs the pasted (or uploaded) license; membership and role are checked again here. */
export const installLicenseAction = formAction('installLicenseAction', [actionParam.workspace, actionParam.form], async (slug, formData) => {
  const back = `/settings/${encodeURIComponent(slug)}/license`;
  const member = await requireMember(slug, 'settings.read', back);
  const file = formData.get('file');
  const uploaded = file instanceof File && file.size > 0 && file.size < 64 * 1024 ? (await file.text()).trim() : '';
  const token = uploaded || String(formData.get('license') ?? '').trim();
  if (!token) redirect(`${back}?error=${encodeURIComponent('Paste the license or choose the license file.')}`);
  try {
    await installLicenseAs(member.db, member, token);
  } catch (error) {
    if (error instanceof ProblemError) redirect(`${back}?error=${encodeURIComponent(error.message)}`);
    throw error;
  }
  redirect(`${back}?installed=1`);
});
