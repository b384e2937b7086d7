/**
 * `rp gate`: uploads the release's evidence, asks the gate, prints the decision and its reasons,
 * and exits 0 unless the policy blocks the release (1). Fails closed: a gate that cannot answer
 * exits 3, never 0. Loads no database code.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { evaluateGate } from '@/lib/api/endpoints/gate';
import type { ApiClient, ConnectionOptions } from '../support/api';
import { connectionFlags } from '../support/flags';

const EVIDENCE_FLAGS = ['sbom', 'sarif', 'vex', 'provenance', 'checksums', 'manifests', 'junit', 'custom'] as const;

interface GateOptions extends ConnectionOptions {
  service: string;
  environment: string;
  sourceSha?: string;
  imageDigest?: string;
  chartVersion?: string;
  evidence: string[];
  artifact: string[];
  json?: boolean;
  passportOut?: string;
  source?: string;
  idempotencyKey?: string;
  waitForApproval?: string | boolean;
  sbom: string[];
  sarif: string[];
  vex: string[];
  provenance: string[];
  checksums: string[];
  manifests: string[];
  junit: string[];
  custom: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];
/** Evidence files sent at once: a folder of a few hundred reports goes up without a burst the rate limit refuses. */
const UPLOADS_AT_ONCE = 4;

/**
 * The files a --junit value names: the file itself, or a folder's JUnit reports (Surefire's and
 * Gradle's report folders). Other XML in such a folder, TestNG's own testng-results.xml and
 * testng-failed.xml beside Surefire's TEST-*.xml, is left out and said, not sent to be refused.
 */
function reportsIn(file: string, UsageError: new (message: string) => Error, xmlRootName: (head: string) => string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return [file]; // assertReadableFile says what is wrong with it
  }
  if (!stat.isDirectory()) return [file];
  const xml = fs
    .readdirSync(file, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.xml'))
    .map((entry) => path.join(file, entry.name))
    .sort();
  const reports = xml.filter((candidate) => ['testsuites', 'testsuite'].includes(xmlRootName(headOf(candidate))));
  const others = xml.filter((candidate) => !reports.includes(candidate)).map((candidate) => path.basename(candidate));
  if (reports.length === 0) {
    throw new UsageError(`--junit ${file} is a folder with no JUnit report in it${others.length ? ` (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''} ${others.length === 1 ? 'is' : 'are'} other XML)` : ''}; name the report files, or the folder they are written to`);
  }
  if (others.length) console.error(`rp: --junit ${file}: left out ${others.length === 1 ? 'a file that is not a JUnit report' : `${others.length} files that are not JUnit reports`}: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}`);
  return reports;
}

/** The first few KB of a file, where an XML document names its root element. */
function headOf(file: string): string {
  const handle = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, fs.readSync(handle, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    fs.closeSync(handle);
  }
}

function strayFiles(words: string[]): string {
  const listed = words.slice(0, 3).join(', ') + (words.length > 3 ? ` and ${words.length - 3} more` : '');
  return (
    `${listed}: not after a flag. Give each evidence file its own flag (--junit a.xml --junit b.xml); ` +
    'a shell pattern such as "--junit reports/*.xml" hands only the first file to --junit. For a folder of JUnit reports, give the folder: --junit reports'
  );
}

/** Runs `task` over `items`, at most `lanes` at a time, keeping the order of the results; none started after one fails. */
async function mapInLanes<T, R>(items: readonly T[], lanes: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index]!);
      } catch (error) {
        failed = true; // the first refusal ends the command: start no more uploads
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}

export function registerGate(program: Command): void {
  const command = program
    .command('gate')
    .description('upload a release\'s evidence, evaluate it against the workspace policy, and exit non-zero when the policy blocks it')
    .requiredOption('--service <slug>', 'the service being released')
    .requiredOption('--environment <slug>', 'the environment it is released to')
    .option('--source-sha <sha>', 'full git commit SHA (default: $GITHUB_SHA, $CI_COMMIT_SHA, or git rev-parse HEAD)')
    .option('--image-digest <digest>', 'image digest, sha256:… or an image reference ending in @sha256:…')
    .option('--chart-version <version>', 'Helm chart version')
    .option('--evidence <digest>', 'digest of evidence uploaded earlier (repeatable)', collect, [])
    .option('--artifact <file>', 'a release artifact whose sha256 the checksum rule compares (repeatable)', collect, [])
    .option('--source <text>', 'where the evidence comes from (default: the CI run URL when known)')
    .option('--passport-out <file>', 'write the signed passport (DSSE envelope) to this file')
    .option('--json', 'print the full answer as JSON')
    .option('--wait-for-approval [duration]', 'when the release is blocked, wait until it is judged again (approving it in the console does that) or the time runs out: 90s, 30m, 2h (default 30m)')
    // Extra words are stray files (a shell pattern after one flag): refused with how to give them, in the action.
    .allowExcessArguments(true)
    .option('--idempotency-key <key>', 'makes retries safe: the same key gets the same answer (default: $RP_IDEMPOTENCY_KEY, else derived from the CI run, else a new one per run)');
  connectionFlags(command, 'API token with gate:evaluate and evidence:write');
  for (const kind of EVIDENCE_FLAGS) {
    const what = kind === 'junit' ? 'junit evidence file, or a folder of them (its .xml files)' : `${kind} evidence file`;
    command.option(`--${kind} <file>`, `${what} (repeatable)`, collect, []);
  }
  command.addHelpText(
    'after',
    '\nExit codes: 0 not blocked (allow, warn, or any decision in shadow/advisory mode), 1 blocked by an enforce-mode policy, 2 usage error, 3 the gate could not be asked (network, credentials, invalid evidence, or still unavailable at --deadline).' +
      '\nWaiting: with --wait-for-approval a blocked release keeps the job waiting until it is judged again (the exit code is then that decision\'s) or the time runs out (exit 1); the token needs passport:read.' +
      '\nRetries: 503, 502, 504, 429 (after its Retry-After) and connection errors are retried with exponential backoff and jitter until --deadline; the gate call carries an Idempotency-Key, so a retry after a lost answer gets the same decision and passport.',
  );
  command.action(async (options: GateOptions) => {
    const { ApiError, apiClient, assertReadableFile, EXIT, namingFile, UsageError } = await import('../support/api');
    const { printDecision } = await import('../support/decision');
    const { writeCiOutputs } = await import('../support/ci-output');
    const { mediaTypeFor } = await import('@/lib/evidence/kinds');
    const client = apiClient(options);
    const waitMs = options.waitForApproval === undefined ? null : parseWait(options.waitForApproval, UsageError);
    const sourceSha = (options.sourceSha ?? process.env.GITHUB_SHA ?? process.env.CI_COMMIT_SHA ?? gitHead())?.toLowerCase();
    if (!sourceSha) throw new UsageError('Give the commit with --source-sha (not in a git checkout, and no $GITHUB_SHA or $CI_COMMIT_SHA).');
    const imageDigest = parseImageDigest(options.imageDigest, UsageError);
    const source = options.source ?? ciRunUrl();

    if (command.args.length) throw new UsageError(strayFiles(command.args));
    const { xmlRoot } = await import('@/lib/evidence/detect');
    const rootName = (head: string) => xmlRoot(head.replace(/^\uFEFF/, '')).name;
    const files = EVIDENCE_FLAGS.flatMap((kind) => options[kind].flatMap((file) => (kind === 'junit' ? reportsIn(file, UsageError, rootName) : [file])).map((file) => ({ kind, file })));
    const { MAX_GATE_EVIDENCE } = await import('@/lib/domain/primitives');
    if (files.length + options.evidence.length > MAX_GATE_EVIDENCE) {
      // Said before anything is uploaded: the gate would refuse the evaluation after every upload.
      throw new UsageError(
        `${files.length + options.evidence.length} pieces of evidence; one gate evaluation judges at most ${MAX_GATE_EVIDENCE}. Merge the test reports into fewer files first (a folder of one report per test class is the usual cause).`,
      );
    }
    for (const { kind, file } of [...files, ...options.artifact.map((file) => ({ kind: 'artifact', file }))]) assertReadableFile(file, `--${kind}`);
    // Checked before anything is asked: a passport that cannot be saved is found out after the decision.
    if (options.passportOut) {
      const folder = path.dirname(path.resolve(options.passportOut));
      if (fs.existsSync(options.passportOut) && fs.statSync(options.passportOut).isDirectory()) throw new UsageError(`--passport-out ${options.passportOut} is a folder; name a file, such as ${path.join(options.passportOut, 'passport.json')}.`);
      if (!(fs.existsSync(folder) && fs.statSync(folder).isDirectory())) throw new UsageError(`--passport-out ${options.passportOut}: ${folder} is not a folder that exists; create it first or name another file.`);
    }
    const uploaded = await mapInLanes(
      files,
      UPLOADS_AT_ONCE,
      async ({ kind, file }) => {
        const query = new URLSearchParams({ kind, service: options.service, ...(source ? { source } : {}) });
        const record = await client
          .uploadFile<{ sha256: string; redactions: { count: number; items: Array<{ kind: string; location: string }> } }>(`/api/v1/evidence?${query}`, file, mediaTypeFor(kind))
          // Several files go up at once: say which one (and through which flag) was refused.
          .catch(namingFile(`--${kind}`, file));
        return { kind, file, sha256: record.sha256, redactions: record.redactions };
      },
    );
    const artifacts = await Promise.all(options.artifact.map(async (file) => ({ name: path.basename(file), sha256: await sha256File(file) })));
    const request = {
      service: options.service,
      environment: options.environment,
      sourceSha,
      imageDigest,
      ...(options.chartVersion ? { chartVersion: options.chartVersion } : {}),
      evidence: [...uploaded.map((item) => item.sha256), ...options.evidence.map((digest) => digest.replace(/^sha256:/, ''))],
      artifacts,
    };
    const idempotencyKey = gateIdempotencyKey(options.idempotencyKey, request);
    const answer = await client.json<GateAnswer>('POST', '/api/v1/gate/evaluate', request, { 'idempotency-key': idempotencyKey }).catch((error: Error) => {
      // Whoever retries this run by hand can get the answer, if one was recorded, with the same key.
      // Only where one may have been: no answer, or the server's own failure. A 4xx refused the request.
      const status = error instanceof ApiError ? error.status : null;
      const unsent = error instanceof ApiError && error.unsent;
      if (!unsent && (status === null || status === 429 || status >= 500)) {
        error.message += `\n(idempotency key ${idempotencyKey}: run again with --idempotency-key ${idempotencyKey} to get this evaluation's answer if it was recorded)`;
      }
      throw error;
    });
    if (!isGateAnswer(answer)) {
      throw new ApiError(`the answer from ${client.baseUrl}/api/v1/gate/evaluate is JSON but not a gate decision (no decision, release and passport): check that --url or RP_URL is the runtime's address`, 200);
    }
    if (options.passportOut) {
      try {
        fs.writeFileSync(options.passportOut, `${JSON.stringify(answer.passport.envelope, null, 2)}\n`);
      } catch (error) {
        // Not exit 1 ("blocked"): the decision was made and recorded; the file was asked for and is missing.
        throw Object.assign(new Error(`the decision (${answer.decision}, passport ${answer.passport.id}) was recorded, but the passport could not be written to ${options.passportOut} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); get it with GET ${answer.passport.url}`), { exitCode: EXIT.failed });
      }
    }
    if (options.json) {
      console.log(JSON.stringify({ ...answer, uploaded, idempotencyKey }, null, 2));
    } else {
      for (const item of uploaded) {
        const redacted = item.redactions.count ? `; ${item.redactions.count} secret value${item.redactions.count === 1 ? '' : 's'} redacted before storing (${item.redactions.items.map((r) => `${r.kind} at ${r.location}`).slice(0, 3).join(', ')})` : '';
        console.log(`uploaded ${item.kind} ${item.file} → sha256:${item.sha256}${redacted}`);
      }
      if (uploaded.length) console.log('');
      printDecision(answer, client.baseUrl);
    }
    writeCiOutputs(answer, new URL(answer.passport.consoleUrl, client.baseUrl).toString());
    process.exitCode = answer.blocking ? EXIT.blocked : EXIT.ok;
    if (answer.blocking && waitMs !== null) {
      const blocked = await waitToBeJudgedAgain(client, answer, waitMs);
      process.exitCode = blocked ? EXIT.blocked : EXIT.ok;
    }
  });
}

/** The parts of the answer this command reads; anything else answering 200 is not the gate. */
function isGateAnswer(value: unknown): value is GateAnswer {
  const answer = value as Partial<GateAnswer> | null;
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.decision === 'string' &&
    typeof answer.blocking === 'boolean' &&
    Array.isArray(answer.reasons) &&
    typeof answer.release?.service === 'string' &&
    typeof answer.passport?.id === 'string' &&
    typeof answer.passport.consoleUrl === 'string'
  );
}

const WAIT_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };
const DEFAULT_WAIT_MS = 30 * 60_000;
const MAX_WAIT_MS = 24 * 3_600_000;

/** "90s", "30m", "2h" (a bare number is minutes); the flag alone means 30 minutes. */
export function parseWait(value: string | boolean, UsageError: new (message: string) => Error): number {
  if (value === true) return DEFAULT_WAIT_MS;
  const match = /^(\d+)(s|m|h)?$/.exec(String(value).trim());
  const ms = match ? Number(match[1]) * WAIT_UNITS[match[2] ?? 'm']! : NaN;
  if (!(ms > 0 && ms <= MAX_WAIT_MS)) throw new UsageError(`--wait-for-approval "${value}" is not a duration between 1s and 24h, such as 90s, 30m or 2h.`);
  return ms;
}

/**
 * Polls the passport until a newer one of the same release exists (it was judged again: an
 * approval in the console, or another run) and says what it decided. Waits on while the newer one
 * is still blocked (a second approval may be needed). True when still blocked at the end.
 */
async function waitToBeJudgedAgain(client: ApiClient, answer: GateAnswer, waitMs: number): Promise<boolean> {
  const consoleUrl = (id: string) => new URL(answer.passport.consoleUrl.replace(answer.passport.id, id), client.baseUrl).toString();
  const pollMs = Number(process.env.RP_WAIT_POLL_MS ?? 10_000);
  const deadline = Date.now() + waitMs;
  console.log(`\nWaiting up to ${formatWait(waitMs)} for this release to be judged again; approve it at ${consoleUrl(answer.passport.id)}`);
  let current = answer.passport.id;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    const passport = await client.json<{ newer: { id: string; decision: string; blocking: boolean; evaluatedAt: string } | null }>('GET', `/api/v1/passports/${current}`);
    if (!passport.newer) continue;
    const { newer } = passport;
    console.log(`Judged again at ${newer.evaluatedAt}: ${newer.decision.toUpperCase()}${newer.blocking ? ', still blocked' : ''}. Passport: ${newer.id}\n  ${consoleUrl(newer.id)}`);
    if (!newer.blocking) return false;
    current = newer.id;
  }
  console.log(`No decision let this release through within ${formatWait(waitMs)}: it stays blocked.`);
  return true;
}

function formatWait(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/** The gate's answer, as the API contract defines it (a type only: the CLI bundles no server code). */
export type GateAnswer = z.output<typeof evaluateGate.response>;

function parseImageDigest(value: string | undefined, UsageError: new (message: string) => Error): string {
  if (!value) throw new UsageError('Give the image being released with --image-digest sha256:… (or registry/image@sha256:…).');
  const match = /(?:^|@)(sha256:[0-9a-f]{64})$/.exec(value.trim());
  if (!match) throw new UsageError(`--image-digest "${value}" is not sha256:<64 hex> nor an image reference ending in @sha256:<64 hex>.`);
  return match[1]!;
}

function gitHead(): string | undefined {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The gate call's idempotency key, made once per invocation: the flag or $RP_IDEMPOTENCY_KEY; in
 * CI, the run (and attempt) with the request's hash, so a step retried within one run gets the
 * answer already recorded, while a re-run or another request is a new decision; else random.
 */
export function gateIdempotencyKey(given: string | undefined, request: object, env: Record<string, string | undefined> = process.env): string {
  const explicit = given ?? env.RP_IDEMPOTENCY_KEY;
  if (explicit) return explicit;
  const body = crypto.createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16);
  if (env.GITHUB_RUN_ID) return `github:${env.GITHUB_REPOSITORY ?? ''}:${env.GITHUB_RUN_ID}:${env.GITHUB_RUN_ATTEMPT ?? '1'}:${env.GITHUB_JOB ?? ''}:${body}`.replace(/[^\x21-\x7e]/g, '_').slice(0, 255);
  if (env.CI_JOB_ID) return `gitlab:${env.CI_PROJECT_ID ?? ''}:${env.CI_JOB_ID}:${body}`.replace(/[^\x21-\x7e]/g, '_').slice(0, 255);
  return crypto.randomUUID();
}

/** The CI run's URL on GitHub Actions or GitLab CI, so the evidence says where it came from. */
function ciRunUrl(): string | undefined {
  const env = process.env;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  return env.CI_JOB_URL ?? undefined;
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
