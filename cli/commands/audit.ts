/** `rp audit verify`: recomputes the audit log's hash chains and reports the first broken link. */
import type { Command } from 'commander';
import { withRuntimeDb } from './runtime-db';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check every audit chain (or one) and report the first broken link; exits 1 if any chain is broken')
    .option('--workspace <slug>', 'only this workspace\'s chain ("installation" for sign-ins and installation events)')
    .option('--json', 'print JSON')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const { verifyAllAuditChains, verifyAuditChain } = await import('@/lib/audit/verify');
      const { findWorkspaceBySlug } = await import('@/lib/workspaces/store');
      const { verifyCheckpointSignature } = await import('@/lib/retention/checkpoint');
      const { workspaces } = await import('@/db/schema/runtime');
      const broken = await withRuntimeDb(async (db) => {
        // A chain cut by retention starts at a checkpoint: its signature is checked with the workspace key.
        const verify = { verifyCheckpoint: (checkpoint: Parameters<typeof verifyCheckpointSignature>[1]) => verifyCheckpointSignature(db, checkpoint) };
        let results;
        if (options.workspace) {
          const chain = options.workspace === 'installation' ? 'installation' : (await findWorkspaceBySlug(db, options.workspace))?.id;
          if (!chain) throw new Error(`There is no workspace "${options.workspace}".`);
          results = [await verifyAuditChain(db, chain, verify)];
        } else {
          results = await verifyAllAuditChains(db, verify);
        }
        const names = new Map((await db.select({ id: workspaces.id, slug: workspaces.slug }).from(workspaces)).map((w) => [w.id, w.slug]));
        const label = (chain: string) => (chain === 'installation' ? 'installation' : `workspace ${names.get(chain) ?? '(deleted)'} (${chain})`);
        if (options.json) {
          console.log(JSON.stringify(results.map((r) => ({ ...r, label: label(r.chain) })), null, 2));
        } else {
          if (results.length === 0) console.log('The audit log is empty.');
          for (const r of results) {
            if (r.ok) {
              const from = r.checkpoint ? ` (from the retention checkpoint at seq ${r.checkpoint.uptoSeq}, signature ${r.checkpoint.signatureVerified ? 'verified' : 'not checked'})` : '';
              console.log(`ok      ${label(r.chain)}: ${r.checked} events, seq ${r.firstSeq ?? '-'}..${r.lastSeq ?? '-'}${from}`);
            } else {
              const b = r.broken!;
              console.log(`BROKEN  ${label(r.chain)}: at seq ${b.seq}${b.id ? ` (event ${b.id}, ${b.action}, ${b.at?.toISOString()})` : ''}: ${b.reason}. ${r.checked} events before it verify.`);
            }
          }
        }
        return results.filter((r) => !r.ok).length;
      });
      if (broken > 0) process.exitCode = 1;
    });
}
