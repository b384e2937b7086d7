/**
 * The filters of the console's lists, read from a page's search parameters (and the export
 * endpoint's query): one schema per list, shared by the page, the report export and the tests.
 * A value that does not parse is dropped and reported, never an error page: a person who edited
 * the address bar gets the unfiltered list and a note saying what was ignored.
 */
import { z } from 'zod';
import { serviceNameSchema } from '@/lib/domain/primitives';
import { POLICY_MODES } from '@/lib/policy/schema';

import { DECISIONS } from '@/lib/domain/primitives';

export { DECISIONS };

const slug = z.string().trim().toLowerCase().pipe(serviceNameSchema);
/** A calendar day (UTC), as an <input type="date"> sends it. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD').refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'a real date');
const text = z.string().trim().min(1).max(200);

export const passportFiltersSchema = z.object({
  service: slug.optional(),
  environment: slug.optional(),
  decision: z.enum(DECISIONS).optional(),
  mode: z.enum(POLICY_MODES).optional(),
  /** First day included (UTC). */
  from: day.optional(),
  /** Last day included (UTC). */
  to: day.optional(),
});
export type PassportFilters = z.infer<typeof passportFiltersSchema>;

export const AUDIT_OUTCOMES = ['allow', 'deny'] as const;

export const auditFiltersSchema = z.object({
  /** Part of the actor's label (an email, a token name) or their exact id. */
  actor: text.optional(),
  /** An action, or its prefix ending in a dot ("policy." for every policy action). */
  action: text.optional(),
  /** A resource type ("passport"), or type:id ("passport:3f9a…"). */
  resource: text.optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: day.optional(),
  to: day.optional(),
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

export type SearchParams = Record<string, string | string[] | undefined>;

export interface ParsedFilters<T> {
  filters: T;
  /** Parameters that were given but ignored, with why: shown above the list. */
  ignored: Array<{ name: string; message: string }>;
}

/** Parses each known parameter on its own, so one bad value drops only itself. */
export function parseFilters<S extends z.ZodObject>(schema: S, params: SearchParams | URLSearchParams): ParsedFilters<z.infer<S>> {
  const read = (name: string): string | undefined => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === null || first.trim() === '' ? undefined : first;
  };
  const filters: Record<string, unknown> = {};
  const ignored: Array<{ name: string; message: string }> = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const raw = read(name);
    if (raw === undefined) continue;
    const parsed = (field as z.ZodType).safeParse(raw);
    if (parsed.success) filters[name] = parsed.data;
    else ignored.push({ name, message: `"${raw.slice(0, 60)}" is not ${parsed.error.issues[0]?.message ?? 'valid'}` });
  }
  const from = filters.from as string | undefined;
  const to = filters.to as string | undefined;
  if (from && to && from > to) {
    ignored.push({ name: 'to', message: `"${to}" is before the start date ${from}` });
    delete filters.to;
  }
  return { filters: filters as z.infer<S>, ignored };
}

/** The filters as search parameters (links to the next page, to an export with the same filters). */
export function filterParams(filters: Record<string, string | undefined>, extra: Record<string, string | undefined> = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(name, value);
  return params;
}

/** [from, to) as instants: `to` is inclusive of its whole day. */
export function dayRange(filters: { from?: string; to?: string }): { from: Date | null; until: Date | null } {
  const from = filters.from ? new Date(`${filters.from}T00:00:00.000Z`) : null;
  const until = filters.to ? new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + 86_400_000) : null;
  return { from, until };
}
