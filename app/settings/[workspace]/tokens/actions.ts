'use server';
/** API token management. Each action re-checks the session, the membership and token.manage. */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, listField, succeeded } from '@/lib/http/action-state';
import { createApiToken, revokeApiToken, TokenInputError } from '@/lib/tokens/store';
import { actionParam, stateAction } from '@/lib/http/server-action';

const DAY_MS = 86_400_000;

export const createTokenAction = stateAction('createTokenAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, user, workspace, audit } = await requireMember(slug, 'token.manage', `/settings/${slug}/tokens`);
  const days = Number(formData.get('expiresInDays') ?? 0);
  try {
    const { token, record } = await createApiToken(
      db,
      workspace.id,
      {
        name: String(formData.get('name') ?? ''),
        scopes: formData.getAll('scopes').map(String),
        services: listField(formData.get('services')),
        environments: listField(formData.get('environments')),
        expiresAt: new Date(Date.now() + (Number.isFinite(days) && days > 0 ? days : 0) * DAY_MS),
        dpopJkt: String(formData.get('dpopJkt') ?? '').trim() || null,
      },
      audit,
      user.id,
    );
    revalidatePath(`/settings/${slug}/tokens`);
    return succeeded(`Token "${record.name}" created.`, { secret: token });
  } catch (error) {
    if (error instanceof TokenInputError) {
      return failed(`The token was not created: ${error.issues.map((i) => i.message).join('; ')}.`, Object.fromEntries(error.issues.map((i) => [i.path.split('.')[0] ?? 'token', i.message])));
    }
    throw error;
  }
});

export const revokeTokenAction = stateAction('revokeTokenAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await requireMember(slug, 'token.manage', `/settings/${slug}/tokens`);
  const revoked = await revokeApiToken(db, workspace.id, String(formData.get('tokenId') ?? ''), audit);
  revalidatePath(`/settings/${slug}/tokens`);
  return revoked ? succeeded(`Token "${revoked.name}" revoked: it stops working now.`) : failed('That token was already revoked.');
});
