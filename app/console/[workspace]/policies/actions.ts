'use server';
/** Policy changes from the console. Each re-checks membership and policy.write on the server, and is audited. */
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { consoleAction } from '@/lib/console/actions';
import { createScopedPolicy, policyDetail, shadowReport, switchPolicyMode, updatePolicyRules, validatePolicyDocument, type ShadowReport } from '@/lib/console/policies';
import { failed, succeeded, type ActionState } from '@/lib/http/action-state';
import { POLICY_MODES, type PolicyMode } from '@/lib/policy/schema';
import { actionParam, stateAction } from '@/lib/http/server-action';
import { plural } from '@/lib/text/plural';

export interface PolicyEditState extends ActionState {
  preview?: ShadowReport & { candidateMode: PolicyMode };
}

const listPath = (slug: string) => `/console/${slug}/policies`;
const policyPath = (slug: string, id: string) => `/console/${slug}/policies/${id}`;

/** The version the form was opened at (a hidden field): saving over a newer one is refused. */
function versionFromForm(formData: FormData): number | null {
  const value = Number(formData.get('version'));
  return Number.isInteger(value) && value > 0 ? value : null;
}

/** The rules as typed into the editor: one JSON object per field, in order (field i is rule i). */
function rulesFromForm(formData: FormData): { rules: unknown[]; errors: Record<string, string> } {
  const rules: unknown[] = [];
  const errors: Record<string, string> = {};
  const texts = formData.getAll('rule').map(String);
  texts.forEach((text, index) => {
    if (!text.trim()) {
      errors[`rule-${index}`] = 'Empty: write the rule, or remove it.';
      rules.push(null);
      return;
    }
    try {
      rules.push(JSON.parse(text));
    } catch (error) {
      errors[`rule-${index}`] = `Not valid JSON: ${(error as Error).message}`;
      rules.push(null);
    }
  });
  return { rules, errors };
}

export const editRulesAction = stateAction('editRulesAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, policyId, _state, formData): Promise<PolicyEditState> => {
  return consoleAction(slug, policyPath(slug, policyId), async (member, caller) => {
    const { rules, errors } = rulesFromForm(formData);
    if (Object.keys(errors).length) return failed('Some rules are not valid JSON; nothing was saved.', errors);
    const intent = String(formData.get('intent') ?? 'save');
    if (intent === 'preview') {
      const current = await policyDetail(member.db, member.workspace.id, policyId);
      if (!current) return failed('This policy no longer exists.');
      // What enforcing these rules would have done: judged as enforce, whatever the mode today.
      const checked = validatePolicyDocument({ mode: 'enforce', rules });
      if (checked.errors) return failed('Fix the rules first: the preview judges exactly what would be saved.', Object.fromEntries(checked.errors.map((error) => [error.path, error.message])));
      const report = await shadowReport(member.db, member.workspace.id, policyId, checked.document);
      return { ok: true, message: `Preview: judged ${plural(report.judged, 'past decision')} again.`, preview: { ...report, candidateMode: 'enforce' } };
    }
    const reason = String(formData.get('reason') ?? '');
    const saved = await updatePolicyRules(member.db, caller, policyId, { rules, reason, expectedVersion: versionFromForm(formData) });
    revalidatePath(policyPath(slug, policyId));
    return succeeded(saved.changed ? `Saved as version ${saved.version}.` : 'Nothing changed: the rules are the same as the current version.');
  });
});

export const switchModeAction = stateAction('switchModeAction', [actionParam.workspace, actionParam.id, actionParam.state, actionParam.form], async (slug, policyId, _state, formData) => {
  return consoleAction(slug, policyPath(slug, policyId), async (member, caller) => {
    const mode = String(formData.get('mode') ?? '');
    if (!(POLICY_MODES as readonly string[]).includes(mode)) return failed('Choose a mode.', { mode: 'Choose shadow, advisory or enforce.' });
    const saved = await switchPolicyMode(member.db, caller, policyId, { mode: mode as PolicyMode, reason: String(formData.get('reason') ?? ''), expectedVersion: versionFromForm(formData) });
    revalidatePath(policyPath(slug, policyId));
    return succeeded(`The policy is now in ${mode} mode (version ${saved.version}).`);
  });
});

export const createPolicyAction = stateAction('createPolicyAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const result = await consoleAction<ActionState & { createdId?: string }>(slug, listPath(slug), async (member, caller) => {
    const { id } = await createScopedPolicy(member.db, caller, {
      name: String(formData.get('name') ?? ''),
      service: String(formData.get('service') ?? '') || null,
      environment: String(formData.get('environment') ?? '') || null,
      copyFrom: String(formData.get('copyFrom') ?? ''),
    });
    revalidatePath(listPath(slug));
    return { ...succeeded('Policy created.'), createdId: id };
  });
  // Created: open it (redirect() throws, so it is called outside consoleAction's try/catch).
  if ('createdId' in result && result.createdId) redirect(policyPath(slug, result.createdId));
  return result;
});
