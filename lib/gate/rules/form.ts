/**
 * The console's rule form, derived from each rule type's zod schema (through its JSON Schema), so
 * that the form, the API's validation and the OpenAPI document cannot disagree: a parameter added
 * to a rule type appears in the form with its description, limits and default. Whatever a form
 * field cannot express (lists of objects) is edited as JSON inside the form.
 */
import { z } from 'zod';
import { RULE_DEFINITIONS } from './index';
import type { AnyRuleDefinition } from './types';

interface FieldBase {
  /** The parameter's key in the rule object (inside its group, for a group's fields). */
  name: string;
  label: string;
  description: string;
  required: boolean;
}

export type RuleFormField =
  | (FieldBase & { kind: 'text'; pattern?: string; maxLength?: number; defaultValue?: string })
  | (FieldBase & { kind: 'number'; integer: boolean; min?: number; minExclusive?: boolean; max?: number; defaultValue?: number })
  | (FieldBase & { kind: 'choice'; options: string[]; defaultValue?: string })
  | (FieldBase & { kind: 'yes-no'; defaultValue?: boolean })
  | (FieldBase & { kind: 'lines'; minItems?: number; maxItems?: number })
  | (FieldBase & { kind: 'group'; fields: RuleFormField[] })
  | (FieldBase & { kind: 'json'; defaultValue?: unknown });

export interface RuleForm {
  type: string;
  title: string;
  fields: RuleFormField[];
}

interface JsonSchema {
  type?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

const LABELS: Record<string, string> = { id: 'Rule id', onFail: 'When it fails', description: 'Description' };
const UNITS: Record<string, string> = { Hours: 'hours', Seconds: 'seconds' };
const WORDS: Record<string, string> = { min: 'minimum', max: 'maximum', ids: 'ids' };
/** Larger than any limit a person means; JSON Schema's "maximum" of a plain integer. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** "maxAgeHours" → "Maximum age (hours)", "builderIds" → "Builder ids". */
export function fieldLabel(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const unit = Object.keys(UNITS).find((suffix) => name.endsWith(suffix) && name !== suffix);
  const stem = unit ? name.slice(0, -unit.length) : name;
  const words = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ')
    .map((word) => WORDS[word] ?? word);
  const text = words.join(' ') + (unit ? ` (${UNITS[unit]})` : '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fieldOf(name: string, schema: JsonSchema, required: boolean): RuleFormField {
  const base: FieldBase = { name, label: fieldLabel(name), description: schema.description ?? '', required };
  if (schema.type === 'string' && Array.isArray(schema.enum)) {
    return { ...base, kind: 'choice', options: schema.enum.map(String), ...(typeof schema.default === 'string' ? { defaultValue: schema.default } : {}) };
  }
  if (schema.type === 'boolean') {
    return { ...base, kind: 'yes-no', ...(typeof schema.default === 'boolean' ? { defaultValue: schema.default } : {}) };
  }
  if (schema.type === 'string') {
    return { ...base, kind: 'text', ...(schema.pattern ? { pattern: schema.pattern } : {}), ...(schema.maxLength ? { maxLength: schema.maxLength } : {}), ...(typeof schema.default === 'string' ? { defaultValue: schema.default } : {}) };
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    return {
      ...base,
      kind: 'number',
      integer: schema.type === 'integer',
      ...(min !== undefined ? { min } : {}),
      ...(schema.exclusiveMinimum !== undefined && schema.minimum === undefined ? { minExclusive: true } : {}),
      ...(schema.maximum !== undefined && schema.maximum < UNBOUNDED ? { max: schema.maximum } : {}),
      ...(typeof schema.default === 'number' ? { defaultValue: schema.default } : {}),
    };
  }
  if (schema.type === 'array' && schema.items?.type === 'string' && !schema.items.enum) {
    return { ...base, kind: 'lines', ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}) };
  }
  if (schema.type === 'object' && schema.properties) {
    const inner = new Set(schema.required ?? []);
    return { ...base, kind: 'group', fields: Object.entries(schema.properties).map(([key, property]) => fieldOf(key, property, inner.has(key))) };
  }
  return { ...base, kind: 'json', ...(schema.default !== undefined ? { defaultValue: schema.default } : {}) };
}

export function ruleForm(definition: AnyRuleDefinition): RuleForm {
  const schema = z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {})
    .filter(([name]) => name !== 'type')
    .map(([name, property]) => fieldOf(name, property, required.has(name)));
  return { type: definition.type, title: definition.title, fields };
}

/** Every rule type's form, in the registry's order (plain data: it crosses to the browser). */
export function ruleForms(): RuleForm[] {
  return RULE_DEFINITIONS.map(ruleForm);
}
