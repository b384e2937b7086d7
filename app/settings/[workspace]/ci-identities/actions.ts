'use server';
/** CI trust policies. Each action re-checks the session, the membership and member.manage (admins). */
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, listField, succeeded } from '@/lib/http/action-state';
import { actionParam, stateAction } from '@/lib/http/server-action';
import { conditionsFromLines, createTrustPolicy, deleteTrustPolicy, parseTrustPolicyInput } from '@/lib/ci-identity/policies';

export const createTrustPolicyAction = stateAction('createTrustPolicyAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, user, workspace, audit } = await requireMember(slug, 'member.manage', `/settings/${slug}/ci-identities`);
  const issuerChoice = String(formData.get('issuer') ?? '');
  const input = parseTrustPolicyInput({
    name: String(formData.get('name') ?? ''),
    issuer: issuerChoice === 'custom' ? String(formData.get('issuerUrl') ?? '') : issuerChoice,
    audience: String(formData.get('audience') ?? ''),
    conditions: conditionsFromLines(String(formData.get('conditions') ?? '').split(/\r?\n/)),
    scopes: formData.getAll('scopes').map(String),
    services: listField(formData.get('services')),
    environments: listField(formData.get('environments')),
  });
  const created = await createTrustPolicy(db, workspace.id, input, audit, user.id);
  if (created === 'name-taken') return failed(`A trust policy named "${input.name}" exists already; choose another name.`, { name: 'this name is taken' });
  revalidatePath(`/settings/${slug}/ci-identities`);
  return succeeded(`Trust policy "${created.name}" added: matching CI runs can now exchange their ID token for a 15-minute gate token.`);
});

export const deleteTrustPolicyAction = stateAction('deleteTrustPolicyAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await requireMember(slug, 'member.manage', `/settings/${slug}/ci-identities`);
  const id = String(formData.get('policyId') ?? '');
  const removed = /^[0-9a-f-]{36}$/i.test(id) ? await deleteTrustPolicy(db, workspace.id, id, audit) : null;
  revalidatePath(`/settings/${slug}/ci-identities`);
  return removed
    ? succeeded(`Trust policy "${removed.name}" removed: no new gate tokens are issued under it (those issued expire within 15 minutes).`)
    : failed('That trust policy was already removed.');
});
