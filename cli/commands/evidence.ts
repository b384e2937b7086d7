/** `rp evidence upload|show`: evidence on its own, outside a gate run (e.g. nightly scans). */
import type { Command } from 'commander';
import type { ConnectionOptions } from '../support/api';
import { connectionFlags } from '../support/flags';

interface UploadOptions extends ConnectionOptions {
  kind: string;
  service?: string;
  source?: string;
  collectedAt?: string;
  json?: boolean;
}

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('upload or look up evidence');
  const upload = evidence
    .command('upload <file>')
    .description('upload one evidence file; prints its digest (use it with rp gate --evidence)')
    .requiredOption('--kind <kind>', 'sbom, sarif, vex, checksums, provenance, manifests, junit or custom')
    .option('--service <slug>', 'the service it belongs to')
    .option('--source <text>', 'where it comes from (a CI run URL...)')
    .option('--collected-at <time>', 'when it was produced (ISO 8601); default now')
    .option('--json', 'print the stored record as JSON');
  connectionFlags(upload, 'API token with evidence:write').action(async (file: string, options: UploadOptions) => {
      const { apiClient, assertReadableFile, namingFile, UsageError } = await import('../support/api');
      const { isEvidenceKind, mediaTypeFor, EVIDENCE_KINDS } = await import('@/lib/evidence/kinds');
      if (!isEvidenceKind(options.kind)) throw new UsageError(`--kind ${options.kind}: use one of ${EVIDENCE_KINDS.join(', ')}`);
      assertReadableFile(file);
      const query = new URLSearchParams({
        kind: options.kind,
        ...(options.service ? { service: options.service } : {}),
        ...(options.source ? { source: options.source } : {}),
        ...(options.collectedAt ? { collectedAt: options.collectedAt } : {}),
      });
      const record = await apiClient(options).uploadFile<{
        sha256: string;
        storedSha256: string;
        duplicate: boolean;
        summary: Record<string, unknown>;
        redactions: { count: number; items: Array<{ kind: string; location: string }> };
      }>(`/api/v1/evidence?${query}`, file, mediaTypeFor(options.kind)).catch(namingFile(`--kind ${options.kind}`, file));
      if (options.json) {
        console.log(JSON.stringify(record, null, 2));
        return;
      }
      console.log(`sha256:${record.sha256}${record.duplicate ? ' (already held; collection time refreshed)' : ''}`);
      console.log(`summary: ${JSON.stringify(record.summary)}`);
      if (record.redactions.count > 0) {
        console.log(`redacted before storing (${record.redactions.count}):`);
        for (const item of record.redactions.items) console.log(`  ${item.kind} at ${item.location}`);
        console.log(`the stored copy has sha256:${record.storedSha256}`);
      }
    });

  const show = evidence.command('show <digest>').description('show stored evidence by digest: kind, summary, what was redacted');
  connectionFlags(show, 'API token with evidence:read').action(async (digest: string, options: ConnectionOptions) => {
      const { apiClient } = await import('../support/api');
      const answer = await apiClient(options).json<{ evidence: unknown[] }>('GET', `/api/v1/evidence/${digest.replace(/^sha256:/, '')}`);
      console.log(JSON.stringify(answer.evidence, null, 2));
    });
}
