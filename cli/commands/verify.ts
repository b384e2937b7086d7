/**
 * `rp verify <passport>`: offline. Needs the passport (the DSSE envelope, or what rp gate --json
 * or GET /api/v1/passports/{id} wrote) and the workspace's public key (a PEM file, the keys
 * document, or its URL). Exits 0 when the signature and the payload check out, 1 when they do not,
 * 2 on a usage mistake (no such file, a --key that holds no public key), 3 when the keys URL could
 * not be read: "could not check" must not read as "altered".
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
    .addHelpText('after', '\nExit codes: 0 VALID, 1 INVALID (altered, another key, not a passport), 2 usage error (no such file, a --key without a public key), 3 nothing was verified (the keys URL could not be read).')
    .action(async (file: string, options: VerifyOptions) => {
      const { assertReadableFile, UsageError } = await import('../support/api');
      const { parsePublicKeys, verifyPassport } = await import('@/lib/passport/verify');
      assertReadableFile(file);
      let document: unknown;
      try {
        document = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        return fail(options, `${file} is not JSON: ${(error as Error).message}`);
      }
      const keysText = await readKeys(options.key!);
      let keys: ReturnType<typeof parsePublicKeys>;
      try {
        keys = parsePublicKeys(keysText);
      } catch (error) {
        const detail = error instanceof SyntaxError ? `not a PEM public key, and not JSON (${error.message})` : (error as Error).message;
        throw new UsageError(`--key ${options.key}: ${detail}. Give the workspace's public key: a PEM file, its keys document or JWK Set, or the keys URL.`);
      }
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

const KEYS_TIMEOUT_MS = 30_000;

async function readKeys(source: string): Promise<string> {
  const { ApiError, assertReadableFile } = await import('../support/api');
  if (/^https?:\/\//.test(source)) {
    const { cliFetch, networkReason } = await import('../support/http');
    let response: Response;
    try {
      response = await cliFetch(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(KEYS_TIMEOUT_MS) });
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${KEYS_TIMEOUT_MS / 1000} s` : networkReason(error);
      throw new ApiError(`could not fetch the keys from ${source} (${why}); nothing was verified`, null);
    }
    if (!response.ok) {
      const hint = response.status === 404 ? ': check the server address and the workspace slug' : '';
      throw new ApiError(`fetching the keys from ${source} answered ${response.status}${hint}; nothing was verified`, response.status);
    }
    return response.text();
  }
  assertReadableFile(source, '--key');
  return fs.readFileSync(source, 'utf8');
}
