/**
 * Report formats, each written as a stream of text chunks (one page of rows at a time), so an
 * export of any size is never held whole in memory. Rows arrive already sanitized.
 *   json      one JSON document: { report, workspace, generatedAt, filters, columns, rows: [...] }
 *   csv       RFC 4180 through csv-stringify; nested values as JSON; cells a spreadsheet would run
 *             as a formula (=, +, -, @, tab, CR first) are prefixed with ' (CSV injection)
 *   markdown  a title, the filters, and one table; | and line breaks escaped, HTML neutralised
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportColumn, ReportRow } from './sources';

export const FORMATS = ['json', 'csv', 'markdown'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const FORMAT_INFO: Record<ReportFormat, { extension: string; contentType: string; label: string }> = {
  json: { extension: 'json', contentType: 'application/json; charset=utf-8', label: 'JSON' },
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8', label: 'CSV' },
  markdown: { extension: 'md', contentType: 'text/markdown; charset=utf-8', label: 'Markdown' },
};

export interface ReportHeading {
  report: string;
  title: string;
  workspace: string;
  generatedAt: string;
  filters: Record<string, string>;
  columns: ReportColumn[];
}

export async function* writeReport(format: ReportFormat, heading: ReportHeading, pages: AsyncIterable<ReportRow[]>): AsyncGenerator<string> {
  if (format === 'json') yield* writeJson(heading, pages);
  else if (format === 'csv') yield* writeCsv(heading, pages);
  else yield* writeMarkdown(heading, pages);
}

async function* writeJson(heading: ReportHeading, pages: AsyncIterable<ReportRow[]>): AsyncGenerator<string> {
  const { columns, ...meta } = heading;
  const head = JSON.stringify({ ...meta, columns: columns.map((column) => column.key) });
  yield `${head.slice(0, -1)},"rows":[`;
  let first = true;
  for await (const page of pages) {
    const text = page.map((row) => JSON.stringify(row)).join(',\n');
    if (!text) continue;
    yield (first ? '\n' : ',\n') + text;
    first = false;
  }
  yield '\n]}\n';
}

/** A cell as text: nested values as JSON, null as empty. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  const text = cellText(value);
  return typeof value === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
}

async function* writeCsv(heading: ReportHeading, pages: AsyncIterable<ReportRow[]>): AsyncGenerator<string> {
  const columns = heading.columns;
  yield stringify([columns.map((column) => column.header)]);
  for await (const page of pages) {
    if (page.length) yield stringify(page.map((row) => columns.map((column) => csvCell(row[column.key]))));
  }
}

export function markdownCell(value: unknown): string {
  return cellText(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, '<br>');
}

/** Lists of records (reasons, evidence, comments, approvals, rejections) as short lines in one cell. */
function markdownList(key: string, value: unknown): string {
  if (!Array.isArray(value)) return markdownCell(value);
  const lines = value.map((item) => {
    const record = (item ?? {}) as Record<string, unknown>;
    if (key === 'reasons') return record.status === 'pass' ? null : `${record.ruleId} (${record.status}): ${record.message}`;
    if (key === 'evidence') return `${record.kind} sha256:${String(record.sha256).slice(0, 12)}… ${record.summary}`;
    if (key === 'comments') return `${record.author ?? 'someone'} (${record.at}): ${record.body}`;
    if (key === 'approvals' || key === 'rejections') {
      const email = String(record.approver ?? record.rejecter);
      return `${record.name ? `${record.name} (${email})` : email}, ${record.role}, ${record.at}${record.note ? `: ${record.note}` : ''}`;
    }
    return typeof item === 'string' ? item : JSON.stringify(item);
  });
  return lines
    .filter((line): line is string => line !== null)
    .map(markdownCell)
    .join('<br>');
}

async function* writeMarkdown(heading: ReportHeading, pages: AsyncIterable<ReportRow[]>): AsyncGenerator<string> {
  const filters = Object.entries(heading.filters);
  yield `# ${markdownCell(heading.title)}\n\n`;
  yield `Workspace: ${markdownCell(heading.workspace)}  \nGenerated: ${heading.generatedAt}  \nFilters: ${filters.length ? filters.map(([name, value]) => `${markdownCell(name)} = ${markdownCell(value)}`).join(', ') : 'none'}\n\n`;
  yield `| ${heading.columns.map((column) => markdownCell(column.header)).join(' | ')} |\n`;
  yield `| ${heading.columns.map(() => '---').join(' | ')} |\n`;
  let rows = 0;
  for await (const page of pages) {
    rows += page.length;
    yield page.map((row) => `| ${heading.columns.map((column) => markdownList(column.key, row[column.key])).join(' | ')} |\n`).join('');
  }
  yield `\n${rows} row${rows === 1 ? '' : 's'}.\n`;
}
