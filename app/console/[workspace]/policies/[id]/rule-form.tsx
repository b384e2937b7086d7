'use client';
/**
 * One rule as a form generated from its type's schema (lib/gate/rules/form.ts): every parameter
 * named, described and limited as the gate validates it. The form edits the rule's JSON, which is
 * what is submitted (a hidden field), so the JSON view and the form never disagree.
 */
import { useState } from 'react';
import { cx } from '@/app/_components/styles';
import { inputClass } from '@/app/_components/ui';
import type { RuleForm as RuleFormSpec, RuleFormField } from '@/lib/gate/rules/form';
import { fieldText, fieldValue, retyped, ruleText, valueAt, withValue, type RuleObject } from '@/lib/gate/rules/form-values';

const fieldClass = cx(inputClass, 'mt-1');
const hintClass = 'mt-1 text-xs text-slate-600 dark:text-slate-400';

interface Props {
  /** Prefix of every field id in this rule ("rule-2"). */
  idPrefix: string;
  rule: RuleObject;
  forms: RuleFormSpec[];
  readOnly: boolean;
  onChange(text: string): void;
}

export function RuleForm({ idPrefix, rule, forms, readOnly, onChange }: Props) {
  const form = forms.find((candidate) => candidate.type === rule.type)!;
  const set = (path: string[], value: unknown) => onChange(ruleText(withValue(rule, path, value)));
  return (
    <div className="mt-1 space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <div>
        <label htmlFor={`${idPrefix}-type`} className="block text-sm font-medium">
          Type
        </label>
        <select
          id={`${idPrefix}-type`}
          value={form.type}
          disabled={readOnly}
          onChange={(event) => onChange(ruleText(retyped(rule, event.target.value)))}
          aria-describedby={`${idPrefix}-type-hint`}
          className={fieldClass}
        >
          {forms.map((candidate) => (
            <option key={candidate.type} value={candidate.type}>
              {candidate.type}: {candidate.title}
            </option>
          ))}
        </select>
        <p id={`${idPrefix}-type-hint`} className={hintClass}>
          {form.title}. Changing the type keeps the id, description and what a failure does.
        </p>
      </div>
      {form.fields.map((field) => (
        <Field key={field.name} field={field} path={[field.name]} idPrefix={idPrefix} rule={rule} readOnly={readOnly} set={set} />
      ))}
    </div>
  );
}

interface FieldProps {
  field: RuleFormField;
  path: string[];
  idPrefix: string;
  rule: RuleObject;
  readOnly: boolean;
  set(path: string[], value: unknown): void;
}

function Field({ field, path, idPrefix, rule, readOnly, set }: FieldProps) {
  const id = `${idPrefix}-${path.join('-')}`;
  const value = valueAt(rule, path);
  if (field.kind === 'group') {
    return (
      <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-700" aria-describedby={`${id}-hint`}>
        <legend className="px-1 text-sm font-medium">
          {field.label}
          {field.required && <Required />}
        </legend>
        <p id={`${id}-hint`} className={cx(hintClass, 'mt-0')}>
          {field.description}
        </p>
        <div className="mt-2 grid gap-3 sm:grid-cols-2">
          {field.fields.map((inner) => (
            <Field key={inner.name} field={inner} path={[...path, inner.name]} idPrefix={idPrefix} rule={rule} readOnly={readOnly} set={set} />
          ))}
        </div>
      </fieldset>
    );
  }
  const hint = [field.description, defaultHint(field), limitsHint(field)].filter(Boolean).join(' ');
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {field.label}
        {field.required && <Required />}
      </label>
      {field.kind === 'json' ? (
        <JsonField id={id} value={value} readOnly={readOnly} onValue={(next) => set(path, next)} field={field} />
      ) : (
        <Control id={id} field={field} text={fieldText(field, value)} readOnly={readOnly} onText={(text) => {
          const parsed = fieldValue(field, text);
          if ('value' in parsed) set(path, parsed.value);
        }} />
      )}
      <p id={`${id}-hint`} className={hintClass}>
        {hint}
      </p>
    </div>
  );
}

function Control({ id, field, text, readOnly, onText }: { id: string; field: RuleFormField; text: string; readOnly: boolean; onText(text: string): void }) {
  const common = { id, readOnly, 'aria-describedby': `${id}-hint`, required: field.required, className: fieldClass };
  switch (field.kind) {
    case 'choice':
      return (
        <select id={id} aria-describedby={common['aria-describedby']} required={field.required} className={fieldClass} disabled={readOnly} value={text} onChange={(event) => onText(event.target.value)}>
          {!field.required && <option value="">{field.defaultValue ? `Default (${field.defaultValue})` : 'Not set'}</option>}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
    case 'yes-no':
      return (
        <select id={id} aria-describedby={common['aria-describedby']} required={field.required} className={fieldClass} disabled={readOnly} value={text} onChange={(event) => onText(event.target.value)}>
          {!field.required && <option value="">{field.defaultValue === undefined ? 'Not set' : `Default (${yesNo(field.defaultValue)})`}</option>}
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
    case 'number':
      return <input {...common} type="number" inputMode="decimal" step={field.integer ? 1 : 'any'} min={field.min} max={field.max} value={text} onChange={(event) => onText(event.target.value)} />;
    case 'lines':
      return <textarea {...common} rows={Math.min(8, Math.max(2, text.split('\n').length + 1))} spellCheck={false} value={text} onChange={(event) => onText(event.target.value)} />;
    default:
      return <input {...common} type="text" spellCheck={false} maxLength={field.kind === 'text' ? field.maxLength : undefined} value={text} onChange={(event) => onText(event.target.value)} />;
  }
}

/** Lists of objects are typed as JSON; what does not parse yet stays in the field, unsaved, with a note. */
function JsonField({ id, field, value, readOnly, onValue }: { id: string; field: RuleFormField; value: unknown; readOnly: boolean; onValue(value: unknown): void }) {
  const [draft, setDraft] = useState(() => fieldText(field, value));
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        readOnly={readOnly}
        rows={Math.min(10, Math.max(3, draft.split('\n').length))}
        spellCheck={false}
        value={draft}
        aria-describedby={problem ? `${id}-problem ${id}-hint` : `${id}-hint`}
        aria-invalid={problem ? true : undefined}
        onChange={(event) => {
          setDraft(event.target.value);
          const parsed = fieldValue(field, event.target.value);
          setProblem('invalid' in parsed ? parsed.invalid : null);
          if ('value' in parsed) onValue(parsed.value);
        }}
        className={cx(fieldClass, 'font-mono text-xs')}
      />
      {problem && (
        <p id={`${id}-problem`} className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">
          {problem}
        </p>
      )}
    </>
  );
}

function Required() {
  return (
    <span className="ml-1 text-xs font-normal text-slate-600 dark:text-slate-400">(required)</span>
  );
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function defaultHint(field: RuleFormField): string {
  if (!('defaultValue' in field) || field.defaultValue === undefined) return '';
  const shown = typeof field.defaultValue === 'string' || typeof field.defaultValue === 'number' ? String(field.defaultValue) : typeof field.defaultValue === 'boolean' ? yesNo(field.defaultValue) : JSON.stringify(field.defaultValue);
  return `Default: ${shown}.`;
}

function limitsHint(field: RuleFormField): string {
  if (field.kind === 'number') {
    const lower = field.min === undefined ? '' : field.minExclusive ? `more than ${field.min}` : `at least ${field.min}`;
    const upper = field.max === undefined ? '' : `at most ${field.max}`;
    const text = [lower, upper].filter(Boolean).join(', ');
    return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : '';
  }
  if (field.kind === 'lines') return 'One per line.';
  return '';
}
