/**
 * A rule's measured value and threshold in words, for people reading why a release was judged the
 * way it was: `{"critical":0,"high":1}` reads "critical: 0, high: 1", `{"maxAgeHours":168}` reads
 * "max age: 7 d", a timestamp reads as a UTC time. The JSON stays in the signed passport; this is
 * only how the console shows it.
 */

/** One line per top-level entry; nested values are phrased inline. Empty for null. */
export function describeValue(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.length === 0 ? ['none'] : [phrase(value)];
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return ['none'];
    return entries.map(([key, item]) => `${label(key)}: ${phrase(item, key)}`);
  }
  return [phrase(value)];
}

function phrase(value: unknown, key = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return /hours$/i.test(key) ? hours(value) : formatNumber(value);
  if (typeof value === 'string') return ISO_TIME.test(value) ? `${value.slice(0, 16).replace('T', ' ')} UTC` : value;
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => phrase(item, key)).join(', ');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'none';
  return entries.map(([inner, item]) => `${label(inner)}: ${phrase(item, inner)}`).join('; ');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** camelCase and snake_case keys as words; a trailing "Hours" is carried by the value's unit. */
function label(key: string): string {
  // Only identifiers are words run together; a key like a license id (AGPL-3.0-only) is data.
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(key)) return key;
  return key
    .replace(/Hours$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

function hours(value: number): string {
  if (value >= 48 && value % 24 === 0) return `${value / 24} d`;
  if (value >= 48) return `${formatNumber(value / 24)} d`;
  return `${formatNumber(value)} h`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10);
}
