/**
 * An export, end to end: permission (report.export, re-checked here), the audit event (an export
 * is itself an audited action, recorded before the first byte leaves), then the rows, sanitized
 * one by one, written in the chosen format as a pull stream: the next page is read from the
 * database only when the client has taken the previous one.
 */
import type { RuntimeDb } from '@/db/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { authorizeConsole, type ConsoleCaller } from '@/lib/console/authorize';
import type { AuditFilters, PassportFilters } from '@/lib/console/filters';
import { FORMAT_INFO, writeReport, type ReportFormat } from './formats';
import { sanitizeText, sanitizeValue } from './sanitize';
import { COLUMNS, reportPages, type ReportKind, type ReportRow } from './sources';

export interface ExportRequest {
  report: ReportKind;
  format: ReportFormat;
  passportFilters?: PassportFilters;
  auditFilters?: AuditFilters;
  now?: Date;
}

export interface ExportResult {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

const TITLES: Record<ReportKind, string> = {
  passports: 'Release passports',
  decisions: 'Gate decisions',
  audit: 'Audit log',
};

export async function exportReport(db: RuntimeDb, caller: ConsoleCaller, request: ExportRequest): Promise<ExportResult> {
  const filters: Record<string, string> = Object.fromEntries(
    Object.entries((request.report === 'audit' ? request.auditFilters : request.passportFilters) ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  await authorizeConsole(db, caller, 'report.export', { action: 'report.export', resource: { type: 'report', id: request.report } });
  const now = request.now ?? new Date();
  await appendAuditEvent(db, {
    ...caller.audit,
    workspaceId: caller.workspace.id,
    action: 'report.export',
    resource: { type: 'report', id: request.report },
    outcome: 'allow',
    details: { format: request.format, filters: sanitizeValue(filters) as Record<string, string> },
  });
  const pages = sanitizedPages(
    reportPages(db, caller.workspace.id, {
      report: request.report,
      passportFilters: request.passportFilters ?? {},
      auditFilters: request.auditFilters ?? {},
    }),
  );
  const chunks = writeReport(
    request.format,
    {
      report: request.report,
      title: TITLES[request.report],
      workspace: caller.workspace.slug,
      generatedAt: now.toISOString(),
      filters: Object.fromEntries(Object.entries(filters).map(([name, value]) => [name, sanitizeText(value)])),
      columns: COLUMNS[request.report],
    },
    pages,
  );
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return {
    filename: `release-passport-${caller.workspace.slug}-${request.report}-${stamp}.${FORMAT_INFO[request.format].extension}`,
    contentType: FORMAT_INFO[request.format].contentType,
    body: textStream(chunks),
  };
}

async function* sanitizedPages(pages: AsyncIterable<ReportRow[]>): AsyncGenerator<ReportRow[]> {
  for await (const page of pages) yield page.map((row) => sanitizeValue(row) as ReportRow);
}

/** A pull stream over text chunks: nothing is read ahead of what the client consumes. */
export function textStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
}
