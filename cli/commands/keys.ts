/**
 * `rp keys`: a workspace's passport signing keys. `rotate` retires the active key and makes a new
 * one (its private half goes straight into the encrypted store); retired keys stay published, so
 * passports signed before keep verifying offline.
 */
import type { Command } from 'commander';
import { operatorAudit, withRuntimeDb } from './runtime-db';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description("a workspace's passport signing keys (DATABASE_URL, or the embedded database, shared with a running server or started for the command)");

  keys
    .command('list')
    .description('list the signing keys of a workspace, active and retired')
    .argument('<workspace>', 'workspace slug')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      const { publishedKeys } = await import('@/lib/passport/signing-keys');
      const published = await withRuntimeDb((db) => publishedKeys(db, slug));
      if (!published) throw new Error(`There is no workspace "${slug}".`);
      if (options.json) return console.log(JSON.stringify(published, null, 2));
      if (published.length === 0) return console.log(`Workspace ${slug} has no signing key yet: its first passport creates one.`);
      for (const key of published) {
        const retired = key.retiredAt ? `, retired ${key.retiredAt.toISOString()}` : '';
        console.log(`${key.status.padEnd(8)} ${key.keyId}  (created ${key.createdAt.toISOString()}${retired})`);
      }
    });

  keys
    .command('rotate')
    .description('retire the active signing key and make a new one (old passports keep verifying)')
    .argument('<workspace>', 'workspace slug')
    .option('--json', 'print JSON')
    .action(async (slug: string, options: { json?: boolean }) => {
      const { rotateSigningKey } = await import('@/lib/passport/signing-keys');
      const { findWorkspaceBySlug } = await import('@/lib/workspaces/store');
      const result = await withRuntimeDb(async (db) => {
        const workspace = await findWorkspaceBySlug(db, slug);
        if (!workspace) throw new Error(`There is no workspace "${slug}".`);
        return rotateSigningKey(db, workspace, { audit: operatorAudit('keys rotate') });
      });
      if (options.json) return console.log(JSON.stringify(result, null, 2));
      console.log(`New active key ${result.active}${result.retired ? `; ${result.retired} retired (still published for verification)` : ''}.`);
      console.log('Running servers pick the new key up within 30 seconds. Give verifiers the new public key: GET /api/v1/workspaces/' + slug + '/keys');
    });
}
