'use server';
/** Retention settings. Each action re-checks the session, the membership and retention.write. */
import { SHA256_HEX_PATTERN } from '@/lib/domain/primitives';
import { revalidatePath } from 'next/cache';
import { requireMember } from '@/lib/auth/guard';
import { failed, succeeded, type ActionState } from '@/lib/http/action-state';
import { ProblemError } from '@/lib/http/problem';
import { deletePendingBlobs } from '@/lib/retention/blobs';
import { setLegalHold, setRetentionPolicy } from '@/lib/retention/policy';
import { runRetention } from '@/lib/retention/purge';
import { getBlobStore } from '@/lib/storage';
import { actionParam, stateAction } from '@/lib/http/server-action';
import { plural } from '@/lib/text/plural';

const member = (slug: string) => requireMember(slug, 'retention.write', `/settings/${slug}/retention`);

function days(formData: FormData, name: string): number | null {
  const value = String(formData.get(name) ?? '').trim();
  return value === '' ? null : Number(value);
}

function refused(error: unknown, what: string): ActionState {
  if (error instanceof ProblemError) {
    return failed(`${what}: ${error.message}`, Object.fromEntries((error.errors ?? []).map((item) => [item.path.split('.').at(-1) ?? item.path, item.message])));
  }
  throw error;
}

export const saveRetentionAction = stateAction('saveRetentionAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await member(slug);
  try {
    // The version the form was opened at: a policy changed meanwhile is refused, not overwritten.
    const version = Number(formData.get('version'));
    const policy = { passportsDays: days(formData, 'passportsDays'), evidenceDays: days(formData, 'evidenceDays'), auditDays: days(formData, 'auditDays'), deploymentsDays: days(formData, 'deploymentsDays') };
    await setRetentionPolicy(db, workspace.id, policy, audit, {
      expectedVersion: Number.isInteger(version) && version >= 0 && formData.has('version') ? version : null,
    });
  } catch (error) {
    return refused(error, 'The policy was not saved');
  }
  revalidatePath(`/settings/${slug}/retention`);
  return succeeded('The retention policy is saved. The worker applies it within the hour, or run it now.');
});

export const runRetentionAction = stateAction('runRetentionAction', [actionParam.workspace], async (slug) => {
  const { db, workspace, audit } = await member(slug);
  const run = await runRetention(db, workspace, { now: new Date(), actor: audit.actor });
  const sweep = await deletePendingBlobs(db, getBlobStore(), { workspaceId: workspace.id });
  revalidatePath(`/settings/${slug}/retention`);
  if (!run) return succeeded('There is no retention policy: nothing was removed.');
  return succeeded(
    `Removed ${plural(run.passports, 'passport')}, ${plural(run.decisions, 'decision')}, ${plural(run.evidence, 'evidence record')} (${plural(sweep.deleted, 'file')}), ${plural(run.auditEvents, 'audit event')} and ${plural(run.deployments, 'ended deployment period')}` +
      (run.checkpoint ? `, replaced by signed checkpoint at #${run.checkpoint.uptoSeq}.` : '.'),
  );
});

export const holdPassportAction = stateAction('holdPassportAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await member(slug);
  const id = String(formData.get('passportId') ?? '').trim().replace(/^sha256:/, '');
  if (!SHA256_HEX_PATTERN.test(id)) return failed('The passport was not held.', { passportId: 'A passport id: 64 hex characters.' });
  try {
    await setLegalHold(db, workspace.id, id, { hold: true, reason: String(formData.get('reason') ?? '') }, audit);
  } catch (error) {
    return refused(error, 'The passport was not held');
  }
  revalidatePath(`/settings/${slug}/retention`);
  return succeeded(`Passport ${id.slice(0, 12)}… is under legal hold: retention keeps it and the evidence it judged.`);
});

export const releaseHoldAction = stateAction('releaseHoldAction', [actionParam.workspace, actionParam.state, actionParam.form], async (slug, _state, formData) => {
  const { db, workspace, audit } = await member(slug);
  try {
    await setLegalHold(db, workspace.id, String(formData.get('passportId') ?? ''), { hold: false }, audit);
  } catch (error) {
    return refused(error, 'The hold was not released');
  }
  revalidatePath(`/settings/${slug}/retention`);
  return succeeded('The legal hold is released; the passport follows the retention policy again.');
});
