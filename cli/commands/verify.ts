/**
 * `rp verify <passport>`: offline. Needs the passport (the DSSE envelope, or what rp gate --json
 * or GET /api/v1/passports/{id} wrote) and the workspace's public key (a PEM file, the keys
 * document, or its URL). Exits 0 when the signature and the payload check out, 1 otherwise.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { KeyStanding } from '@/lib/passport/verify';

interface VerifyOptions {
  key?: string;
  json?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command('verify <passport>')
    .description('verify a passport offline with the workspace public key')
    .requiredOption('--key <file-or-url>', 'public key: PEM file, keys JSON file, or https URL of GET /api/v1/workspaces/<workspace>/keys')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: VerifyOptions) => {
      const { UsageError } = await import('../support/api');
      const { parsePublicKeys, verifyPassport } = await import('@/lib/passport/verify');
      if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
      let document: unknown;
      try {
        document = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        return fail(options, `${file} is not JSON: ${(error as Error).message}`);
      }
      const keys = parsePublicKeys(await readKeys(options.key!));
      const result = verifyPassport(envelopeOf(document), keys);
      if (options.json) {
        console.log(JSON.stringify(result.valid ? { valid: true, passportId: result.passportId, keyId: result.keyId, key: result.key, decision: result.statement.predicate.decision, requestedBy: result.statement.predicate.requestedBy ?? null } : result, null, 2));
      } else if (result.valid) {
        const { predicate } = result.statement;
        console.log(`VALID passport ${result.passportId}`);
        console.log(`  signed by key ${result.keyId} (workspace ${predicate.workspace}), ${standingText(result.key)}`);
        console.log(`  release ${predicate.release.service} → ${predicate.release.environment}, image ${predicate.release.imageDigest}`);
        console.log(`  decision ${predicate.decision.result} (${predicate.decision.mode}${predicate.decision.blocking ? ', blocking' : ''}) at ${predicate.decision.evaluatedAt}`);
        console.log(`  policy "${predicate.policy.name}" v${predicate.policy.version} sha256:${predicate.policy.hash.slice(0, 12)}…`);
        if (predicate.requestedBy) console.log(`  requested by ${predicate.requestedBy.type === 'user' ? 'person ' : predicate.requestedBy.type === 'token' ? 'API token ' : ''}${predicate.requestedBy.label}`);
      } else {
        console.error(`INVALID passport: ${result.reason}`);
      }
      process.exitCode = result.valid ? 0 : 1;
    });
}

function standingText(key: KeyStanding): string {
  if (key.status === 'active') return 'an active key';
  if (key.status === 'retired') return `a key retired at ${key.retiredAt}, after this passport was signed`;
  return 'key status unknown (give the keys URL or document to check it)';
}

function fail(options: VerifyOptions, reason: string): void {
  if (options.json) console.log(JSON.stringify({ valid: false, reason }));
  else console.error(`INVALID passport: ${reason}`);
  process.exitCode = 1;
}

/** The envelope inside whatever the file holds: an envelope, rp gate --json output, or a GET /passports answer. */
function envelopeOf(document: unknown): unknown {
  const value = document as { envelope?: unknown; passport?: { envelope?: unknown } } | null;
  return value?.passport?.envelope ?? value?.envelope ?? document;
}

async function readKeys(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`fetching the keys from ${source} answered ${response.status}`);
    return response.text();
  }
  return fs.readFileSync(source, 'utf8');
}
