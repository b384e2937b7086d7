'use client';
/**
 * The rules of a policy, each edited as a form generated from its type's schema (rule-form.tsx)
 * or as its JSON; both edit the same JSON text, which is what is submitted, so that a validation
 * error appears next to the rule it concerns. Controlled fields: what was typed survives a refused
 * save. "Preview impact" judges the stored inputs of past decisions with these rules (as enforced)
 * before anything is saved.
 */
import { useActionState, useState } from 'react';
import { useFormStatus } from 'react-dom';
import { buttonClass, cx } from '@/app/_components/styles';
import type { PolicyEditState } from '@/app/console/[workspace]/policies/actions';
import type { RuleForm as RuleFormSpec } from '@/lib/gate/rules/form';
import { parseRuleText } from '@/lib/gate/rules/form-values';
import { ImpactPreview } from './impact-preview';
import { RuleForm } from './rule-form';

type EditMode = 'form' | 'json';

interface RuleItem {
  key: string;
  text: string;
  mode: EditMode;
}

function Submit({ intent, children, variant }: { intent: 'preview' | 'save'; children: React.ReactNode; variant: 'primary' | 'secondary' }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" name="intent" value={intent} disabled={pending} className={buttonClass(variant)}>
      {pending ? 'Working…' : children}
    </button>
  );
}

/** Fields every rule has; the rule-type list names only a type's own parameters. */
const BASE_FIELDS = ['id', 'description', 'onFail'];

const TEMPLATE = JSON.stringify({ id: 'new-rule', type: 'evidence-required', kind: 'sbom', maxAgeHours: 72 }, null, 2);

export function RulesEditor({ action, rules, nextVersion, forms, canWrite }: { action: (state: PolicyEditState, formData: FormData) => Promise<PolicyEditState>; rules: string[]; nextVersion: number; forms: RuleFormSpec[]; canWrite: boolean }) {
  const [state, formAction] = useActionState(action, { ok: null });
  const [items, setItems] = useState<RuleItem[]>(() => rules.map((text, index) => ({ key: `r${index}`, text, mode: 'form' })));
  const types = forms.map((form) => form.type);
  const update = (key: string, change: Partial<RuleItem>) => setItems((current) => current.map((other) => (other.key === key ? { ...other, ...change } : other)));
  const [counter, setCounter] = useState(0);
  const [reason, setReason] = useState('');
  const errors = state.fieldErrors ?? {};
  const preview = state.preview;

  return (
    <form action={formAction} className="space-y-4">
      <div aria-live="polite" className="space-y-3 empty:hidden">
        {state.message && (
          <p
            role={state.ok === false ? 'alert' : 'status'}
            className={cx(
              'rounded-md border px-3 py-2 text-sm',
              state.ok === false
                ? 'border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200'
                : 'border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
            )}
          >
            {state.message}
          </p>
        )}
        {preview && <ImpactPreview preview={preview} />}
      </div>

      <ol className="space-y-4">
        {items.map((item, index) => {
          const id = `rule-${index}`;
          const error = errors[id];
          const parsed = parseRuleText(item.text, types);
          const asForm = item.mode === 'form' && 'rule' in parsed;
          const describedBy = error ? `${id}-error` : undefined;
          return (
            <li key={item.key}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                {asForm ? (
                  <h3 id={`${id}-title`} className="text-sm font-medium">
                    Rule {index + 1}
                  </h3>
                ) : (
                  <label htmlFor={id} className="text-sm font-medium">
                    Rule {index + 1} (JSON)
                  </label>
                )}
                <div className="flex items-center gap-1">
                  <div role="group" aria-label={`Edit rule ${index + 1} as`} className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
                    {(['form', 'json'] as const).map((mode) => (
                      <button
                        key={mode}
                        type="button"
                        aria-pressed={item.mode === mode}
                        onClick={() => update(item.key, { mode })}
                        className={cx('px-2 py-1 text-xs', item.mode === mode ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'text-slate-700 dark:text-slate-300')}
                      >
                        {mode === 'form' ? 'Form' : 'JSON'}
                      </button>
                    ))}
                  </div>
                  {canWrite && (
                    <button type="button" className={buttonClass('ghost', 'py-1 text-xs')} onClick={() => setItems(items.filter((other) => other.key !== item.key))}>
                      Remove<span className="sr-only"> rule {index + 1}</span>
                    </button>
                  )}
                </div>
              </div>
              {item.mode === 'form' && 'problem' in parsed && (
                <p className="mt-1 text-xs text-slate-700 dark:text-slate-300">This rule cannot be shown as a form ({parsed.problem}): edit its JSON below.</p>
              )}
              {asForm ? (
                <section aria-labelledby={`${id}-title`} aria-describedby={describedBy}>
                  <input type="hidden" name="rule" value={item.text} />
                  <RuleForm idPrefix={id} rule={parsed.rule} forms={forms} readOnly={!canWrite} onChange={(text) => update(item.key, { text })} />
                </section>
              ) : (
                <textarea
                  id={id}
                  name="rule"
                  value={item.text}
                  readOnly={!canWrite}
                  onChange={(event) => update(item.key, { text: event.target.value })}
                  rows={Math.min(14, Math.max(3, item.text.split('\n').length))}
                  spellCheck={false}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={describedBy}
                  className={cx(
                    'mt-1 block w-full rounded-md border bg-white px-3 py-2 font-mono text-xs text-slate-900 dark:bg-slate-950 dark:text-slate-100',
                    error ? 'border-red-500' : 'border-slate-300 dark:border-slate-700',
                  )}
                />
              )}
              {error && (
                <p id={`${id}-error`} role="alert" className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">
                  {error}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {canWrite && (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <button
              type="button"
              className={buttonClass('secondary')}
              onClick={() => {
                setItems([...items, { key: `n${counter}`, text: TEMPLATE, mode: 'form' }]);
                setCounter(counter + 1);
              }}
            >
              Add a rule
            </button>
            <details className="text-xs text-slate-600 dark:text-slate-400">
              <summary className="cursor-pointer">Rule types and their parameters</summary>
              <ul className="mt-2 space-y-1">
                {forms.map((form) => (
                  <li key={form.type}>
                    <code className="font-mono">{form.type}</code>: {form.title} (
                    {form.fields
                      .filter((field) => !BASE_FIELDS.includes(field.name))
                      .map((field) => `${field.name}${field.required ? '' : ' (optional)'}`)
                      .join(', ') || 'no parameters'}
                    )
                  </li>
                ))}
              </ul>
            </details>
          </div>
          <div>
            <label htmlFor="rules-reason" className="block text-sm font-medium">
              Why (kept in the version history and the audit log)
            </label>
            <input id="rules-reason" name="reason" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950" />
          </div>
          {/* The version these rules were opened at: a save over someone else's newer version is refused. */}
          <input type="hidden" name="version" value={nextVersion - 1} />
          {errors.version && (
            <p id="rules-version-error" role="alert" className="text-sm text-red-700 dark:text-red-400">
              {errors.version}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            <Submit intent="preview" variant="secondary">
              Preview impact
            </Submit>
            <Submit intent="save" variant="primary">
              Save as version {nextVersion}
            </Submit>
          </div>
        </>
      )}
    </form>
  );
}
