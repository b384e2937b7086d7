/**
 * Between a rule form's fields (lib/gate/rules/form.ts) and the rule's JSON: what a field shows
 * for a value, and the value its text stands for. The rule's JSON stays the one thing submitted
 * and validated on the server; a field left empty leaves its key out, so the default applies.
 */
import type { RuleFormField } from './form';

export type RuleObject = Record<string, unknown>;

/** The JSON of a rule as the editor shows and submits it. */
export function ruleText(rule: RuleObject): string {
  return JSON.stringify(rule, null, 2);
}

/** The rule a text holds, or why the form cannot show it. */
export function parseRuleText(text: string, knownTypes: readonly string[]): { rule: RuleObject } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'its JSON does not parse' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'it is not a JSON object' };
  const type = (parsed as RuleObject).type;
  if (typeof type !== 'string' || !knownTypes.includes(type)) return { problem: typeof type === 'string' ? `"${type}" is not a rule type` : 'it has no "type"' };
  return { rule: parsed as RuleObject };
}

export function fieldText(field: RuleFormField, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (field.kind) {
    case 'lines':
      return Array.isArray(value) ? value.map(String).join('\n') : JSON.stringify(value);
    case 'json':
    case 'group':
      return JSON.stringify(value, null, 2);
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
}

/** The value a field's text stands for: `undefined` leaves the key out. */
export function fieldValue(field: RuleFormField, text: string): { value: unknown } | { invalid: string } {
  const trimmed = text.trim();
  switch (field.kind) {
    case 'number': {
      if (trimmed === '') return { value: undefined };
      const number = Number(trimmed);
      // Not a number: kept as typed, so the server's validation names the field.
      return { value: Number.isFinite(number) ? number : trimmed };
    }
    case 'lines': {
      const lines = text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      return { value: lines.length ? lines : undefined };
    }
    case 'json':
    case 'group':
      if (trimmed === '') return { value: undefined };
      try {
        return { value: JSON.parse(trimmed) };
      } catch (error) {
        return { invalid: `Not valid JSON yet: ${(error as Error).message}` };
      }
    case 'text':
      return { value: text === '' ? undefined : text };
    case 'choice':
      return { value: text === '' ? undefined : text };
    case 'yes-no':
      return { value: text === '' ? undefined : text === 'true' };
  }
}

/** A copy of the rule with the value at `path` set, or removed when `undefined`. */
export function withValue(rule: RuleObject, path: readonly string[], value: unknown): RuleObject {
  const [key, ...rest] = path;
  if (key === undefined) return rule;
  const copy: RuleObject = { ...rule };
  const next = rest.length ? withValue(isObject(rule[key]) ? (rule[key] as RuleObject) : {}, rest, value) : value;
  // A group left with no field filled in is not given (an optional group such as a findings rule's vex).
  if (next === undefined || (rest.length > 0 && Object.keys(next as RuleObject).length === 0)) delete copy[key];
  else copy[key] = next;
  return copy;
}

export function valueAt(rule: RuleObject, path: readonly string[]): unknown {
  let current: unknown = rule;
  for (const key of path) current = isObject(current) ? (current as RuleObject)[key] : undefined;
  return current;
}

/** The rule as another type: its id, description and onFail kept, the old type's parameters dropped. */
export function retyped(rule: RuleObject, type: string): RuleObject {
  const kept: RuleObject = { id: rule.id, type };
  if (rule.description !== undefined) kept.description = rule.description;
  if (rule.onFail !== undefined) kept.onFail = rule.onFail;
  return kept;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
