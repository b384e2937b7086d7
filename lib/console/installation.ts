/**
 * Installation status for the settings pages: the database, object storage, the rate limiter,
 * sign-in (OIDC, trusted proxy, local accounts), the secret store, the background worker, the
 * public address and outbound requests (the egress proxy).
 * Each check reports what it found (never a secret: URLs are shown without their credentials),
 * probes the live component with a short timeout, and says what to do when something is not set
 * up for production.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrationStatus } from '@/db/client';
import { runtimeDatabase } from '@/db/runtime';
import { localAccountsEnabled, oidcSettings, proxySettings, publicBaseUrl, type Env } from '@/lib/auth/settings';
import { backendFromEnv } from '@/lib/ratelimit';
import { installationSecrets, secretReferenceStatus, secretsConfig, secretStoreStatus, type SecretStatus } from '@/lib/secrets';
import { installationSecretReference } from '@/lib/secrets/registry';
import { blobStoreFromEnv } from '@/lib/storage';
import { jobStatuses } from '@/lib/worker/jobs';
import { productVersion } from '@/lib/version';
import { settings } from '@/lib/config/settings';
import { maskCredentials, urlWithoutCredentials } from '@/lib/text/credentials';

export type CheckState = 'ok' | 'attention' | 'error';

export interface InstallationCheck {
  id: 'database' | 'storage' | 'ratelimit' | 'oidc' | 'secrets' | 'worker' | 'url' | 'outbound';
  title: string;
  state: CheckState;
  /** What was found, in one line. */
  summary: string;
  facts: Array<[string, string]>;
  /** What to do about it; null when nothing is needed. */
  todo: string | null;
}

const PROBE_TIMEOUT_MS = 2500;

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return maskCredentials(text.split('\n')[0] ?? '').slice(0, 200);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await Promise.race([run(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))]);
  return { value, ms: Math.round(performance.now() - started) };
}

async function databaseCheck(env: Env): Promise<InstallationCheck> {
  const title = 'Database';
  try {
    const opened = await runtimeDatabase.open();
    const { ms } = await timed(() => opened.query(sql`select 1`));
    const migrations = await migrationStatus(opened);
    const facts: Array<[string, string]> = [
      ['Engine', opened.engine === 'embedded' ? 'embedded PostgreSQL (run by the launcher from the data directory)' : 'PostgreSQL server'],
      ['Round trip', `${ms} ms`],
      ['Migrations', `${migrations.applied} of ${migrations.expected} applied`],
    ];
    const url = settings(env).database.url;
    if (opened.engine === 'external' && url) facts.push(['Server', urlWithoutCredentials(url)]);
    if (!migrations.current) {
      return { id: 'database', title, state: 'error', summary: 'Migrations are missing.', facts, todo: 'Run "rp migrate" (or restart the server, which migrates at start).' };
    }
    if (opened.engine === 'embedded') {
      return {
        id: 'database',
        title,
        state: 'attention',
        summary: 'The embedded PostgreSQL: a real PostgreSQL on this machine, for one server (RP_WORKERS uses all its cores); its backups are yours to schedule.',
        facts,
        todo: 'For more than one machine, or a managed server with its own backups, set DATABASE_URL to a PostgreSQL database and move the data with pg_dump and pg_restore (docs: Operations, Backup).',
      };
    }
    return { id: 'database', title, state: 'ok', summary: 'PostgreSQL answers and has every migration.', facts, todo: null };
  } catch (error) {
    return { id: 'database', title, state: 'error', summary: `The database does not answer: ${message(error)}`, facts: [], todo: 'Check DATABASE_URL and that the database is running and reachable.' };
  }
}

async function storageCheck(env: Env): Promise<InstallationCheck> {
  const title = 'Object storage';
  let driver = 'filesystem';
  try {
    const { s3, ...storage } = settings(env).storage;
    driver = storage.driver;
    const store = blobStoreFromEnv(env);
    const facts: Array<[string, string]> = [['Driver', store.driver === 's3' ? 'S3-compatible' : 'files on this server']];
    if (store.driver === 's3') {
      facts.push(['Bucket', s3.bucket ?? ''], ['Endpoint', s3.endpoint ? urlWithoutCredentials(s3.endpoint) : 'AWS S3'], ['Credentials', s3.accessKeyId ? 'access key (set)' : 'the AWS default chain']);
    } else {
      facts.push(['Directory', path.dirname(store.spoolDir)]);
    }
    const { ms } = await timed(() => store.exists('health/probe'));
    facts.push(['Round trip', `${ms} ms`]);
    if (store.driver === 'filesystem') {
      const root = path.dirname(store.spoolDir);
      const writable = await fs.promises.access(root, fs.constants.W_OK).then(
        () => true,
        () => false,
      );
      if (!writable && fs.existsSync(root)) {
        return { id: 'storage', title, state: 'error', summary: `The directory ${root} is not writable.`, facts, todo: 'Give the server’s user write access to it, or set RP_BLOB_DIR to a writable directory.' };
      }
      return {
        id: 'storage',
        title,
        state: 'attention',
        summary: 'Evidence is stored in files on this server.',
        facts,
        todo: 'For more than one replica, or to keep evidence off the server disk, set RP_STORAGE_DRIVER=s3 with RP_S3_BUCKET (and RP_S3_ENDPOINT for MinIO, Ceph, R2...).',
      };
    }
    return { id: 'storage', title, state: 'ok', summary: 'The bucket answers.', facts, todo: null };
  } catch (error) {
    return {
      id: 'storage',
      title,
      state: 'error',
      summary: `Storage (${driver}) does not work: ${message(error)}`,
      facts: [],
      todo: 'Check RP_STORAGE_DRIVER, the bucket or directory, and its credentials; uploads of evidence fail until it works.',
    };
  }
}

async function rateLimitCheck(env: Env): Promise<InstallationCheck> {
  const title = 'Rate limiter';
  const config = backendFromEnv(env);
  if (config.upstash) {
    try {
      const { Redis } = await import('@upstash/redis');
      const { ms } = await timed(() => new Redis({ url: config.upstash!.url, token: config.upstash!.token, enableTelemetry: false }).ping());
      return { id: 'ratelimit', title, state: 'ok', summary: 'Upstash Redis answers: limits hold across replicas.', facts: [['Backend', 'Upstash (REST)'], ['URL', urlWithoutCredentials(config.upstash.url)], ['Round trip', `${ms} ms`]], todo: null };
    } catch (error) {
      return { id: 'ratelimit', title, state: 'error', summary: `Upstash does not answer: ${message(error)}`, facts: [['Backend', 'Upstash (REST)']], todo: 'Check UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN. Until it answers, each server limits in its own memory.' };
    }
  }
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    const client = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => {});
    const facts: Array<[string, string]> = [['Backend', 'Redis / Valkey'], ['Server', urlWithoutCredentials(config.redisUrl)]];
    try {
      const { ms } = await timed(async () => {
        await client.connect();
        return client.ping();
      });
      return { id: 'ratelimit', title, state: 'ok', summary: 'Redis answers: limits hold across replicas.', facts: [...facts, ['Round trip', `${ms} ms`]], todo: null };
    } catch (error) {
      return { id: 'ratelimit', title, state: 'error', summary: `Redis does not answer: ${message(error)}`, facts, todo: 'Check REDIS_URL and that Redis or Valkey is reachable. Until it answers, each server limits in its own memory.' };
    } finally {
      client.disconnect();
    }
  }
  return {
    id: 'ratelimit',
    title,
    state: 'attention',
    summary: 'Limits are kept in this server’s memory.',
    facts: [['Backend', 'in memory']],
    todo: 'With more than one replica, set REDIS_URL (Redis or Valkey) or UPSTASH_REDIS_REST_URL and _TOKEN so every replica counts against the same limits.',
  };
}

/** Status (set, where from) of an installation secret: never its value. */
async function installationSecret(name: string): Promise<SecretStatus | null> {
  const definition = installationSecrets().find((candidate) => candidate.name === name);
  return definition ? secretReferenceStatus(installationSecretReference(definition, secretsConfig().env)) : null;
}

async function signInCheck(env: Env): Promise<InstallationCheck> {
  const title = 'Sign-in (OIDC)';
  const facts: Array<[string, string]> = [['Local accounts', localAccountsEnabled(env) ? 'on' : 'off']];
  let proxy: string;
  try {
    const settings = proxySettings(env);
    const secret = settings ? await installationSecret('proxy.sharedSecret') : null;
    proxy = !settings ? 'not configured' : secret?.set ? `configured (shared secret: ${secret.detail})` : 'addresses set, but the shared secret (RP_AUTH_PROXY_SECRET) is not';
  } catch (error) {
    proxy = `misconfigured: ${message(error)}`;
  }
  facts.push(['Trusted proxy', proxy]);
  let oidc: ReturnType<typeof oidcSettings>;
  try {
    oidc = oidcSettings(env);
  } catch (error) {
    return { id: 'oidc', title, state: 'error', summary: message(error), facts, todo: 'Set RP_OIDC_ISSUER to the https address of your identity provider.' };
  }
  if (!oidc) {
    return {
      id: 'oidc',
      title,
      state: 'attention',
      summary: 'No OIDC issuer: people sign in with local accounts' + (proxy.startsWith('configured') ? ' or through the trusted proxy.' : '.'),
      facts,
      todo: 'To use your identity provider, set RP_OIDC_ISSUER, RP_OIDC_CLIENT_ID and the client secret (RP_OIDC_CLIENT_SECRET, RP_OIDC_CLIENT_SECRET_FILE or RP_OIDC_CLIENT_SECRET_REF); register the callback URL /api/auth/callback/oidc with it.',
    };
  }
  const secret = await installationSecret('oidc.clientSecret');
  const oidcFacts: Array<[string, string]> = [['Issuer', urlWithoutCredentials(oidc.issuer)], ['Client id', oidc.clientId], ['Client secret', secret?.set ? `set (${secret.detail})` : `not set${secret?.problem ? `: ${secret.problem}` : ''}`], ...facts];
  if (!secret?.set) {
    return {
      id: 'oidc',
      title,
      state: 'error',
      summary: 'RP_OIDC_ISSUER is set but the client secret is not: sign-in with the identity provider fails.',
      facts: oidcFacts,
      todo: 'Set RP_OIDC_CLIENT_SECRET (or RP_OIDC_CLIENT_SECRET_FILE, or RP_OIDC_CLIENT_SECRET_REF=store:oidc/client-secret and rp secrets set).',
    };
  }
  return { id: 'oidc', title, state: 'ok', summary: `People sign in with ${oidc.name}.`, facts: oidcFacts, todo: null };
}

async function secretsCheck(): Promise<InstallationCheck> {
  const title = 'Secret store';
  try {
    const status = await secretStoreStatus();
    const facts: Array<[string, string]> = [
      ['Store', status.store],
      ['Key source', status.keySource],
      ['Key fingerprint', status.keyId ?? 'not loaded'],
      ['Access policy', status.policy],
    ];
    const serious = status.problems.filter((problem) => !problem.startsWith('The store key is the embedded default'));
    if (serious.length) return { id: 'secrets', title, state: 'error', summary: serious.join(' '), facts, todo: 'Fix the store key settings (RP_SECRETS_KEY, RP_SECRETS_KEY_FILE or RP_SECRETS_PASSWORD); signing passports needs the store.' };
    if (status.problems.length) return { id: 'secrets', title, state: 'attention', summary: 'Encrypted (AES-256-GCM) with the default key file beside the data.', facts, todo: status.problems.join(' ') };
    return { id: 'secrets', title, state: 'ok', summary: 'Encrypted (AES-256-GCM), key kept apart from the data.', facts, todo: null };
  } catch (error) {
    return { id: 'secrets', title, state: 'error', summary: message(error), facts: [], todo: 'Check the secret store settings.' };
  }
}

async function workerCheck(): Promise<InstallationCheck> {
  const title = 'Background work';
  try {
    const db = (await runtimeDatabase.open()).db;
    const jobs = await jobStatuses(db);
    const failing = jobs.filter((job) => job.lastStatus === 'error');
    const facts = jobs.map((job): [string, string] => [job.name, job.lastFinishedAt ? `${job.lastStatus ?? 'done'} at ${job.lastFinishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not run yet']);
    if (jobs.length === 0) return { id: 'worker', title, state: 'attention', summary: 'No worker has started yet.', facts, todo: 'Retention and connector polling run in "rp worker" (or inside npm start unless RP_EMBEDDED_WORKER=off).' };
    if (failing.length) return { id: 'worker', title, state: 'error', summary: `${failing.length} job(s) failed last time: ${failing.map((job) => `${job.name} (${job.lastError ?? 'no message'})`).join('; ')}`, facts, todo: 'See the worker’s logs; the job is retried on its next run.' };
    return { id: 'worker', title, state: 'ok', summary: 'Retention and connector polling run.', facts, todo: null };
  } catch (error) {
    return { id: 'worker', title, state: 'error', summary: message(error), facts: [], todo: null };
  }
}

function urlCheck(env: Env): InstallationCheck {
  const { publicUrl: configured, bind, port } = settings(env);
  const facts: Array<[string, string]> = [
    ['Public URL', configured ? urlWithoutCredentials(publicBaseUrl(env)) : 'not set (taken from each request)'],
    ['Listening on', `${bind}:${port ?? 3000}`],
    ['Version', productVersion],
  ];
  if (!configured) {
    return {
      id: 'url',
      title: 'Address',
      state: 'attention',
      summary: 'The runtime does not know its public address.',
      facts,
      todo: 'Set RP_PUBLIC_URL (https://rp.example.com) so sign-in links, invitations and DPoP checks use it; put the server behind a TLS proxy.',
    };
  }
  const https = configured.protocol === 'https:';
  return { id: 'url', title: 'Address', state: https ? 'ok' : 'attention', summary: `Reached at ${urlWithoutCredentials(publicBaseUrl(env))}.`, facts, todo: https ? null : 'Serve it over https (TLS at the reverse proxy).' };
}

/** Whether something accepts TCP connections at a proxy's address: all a check can say without a destination. */
async function acceptsConnections(address: string): Promise<{ ok: true; ms: number } | { ok: false; reason: string }> {
  const url = new URL(address);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  try {
    const { ms } = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port, timeout: PROBE_TIMEOUT_MS });
          socket.once('connect', () => {
            socket.destroy();
            resolve();
          });
          socket.once('timeout', () => socket.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
          socket.once('error', reject);
        }),
    );
    return { ok: true, ms };
  } catch (error) {
    return { ok: false, reason: (error as NodeJS.ErrnoException).code ?? message(error) };
  }
}

/** The server's own outbound requests: direct or through the egress proxy, and where connectors may go. */
async function outboundCheck(env: Env): Promise<InstallationCheck> {
  const title = 'Outbound requests';
  const config = settings(env);
  // Node lists a BlockList's rules newest first, as "Subnet: IPv4 10.0.0.0/8".
  const allowed = config.connectorAllowedAddresses.rules.map((rule) => rule.replace(/^\w+: IPv[46] /, '')).reverse();
  const guard: [string, string] = ['Connectors and notifications reach', allowed.length > 0 ? `public addresses, and ${allowed.join(', ')}` : 'public addresses only'];
  const proxy = config.egressProxy;
  if (!proxy) {
    return { id: 'outbound', title, state: 'ok', summary: 'Direct: no egress proxy is set.', facts: [['Egress proxy', 'none (HTTPS_PROXY is not set)'], guard], todo: null };
  }
  // As undici and curl read them: https destinations use HTTPS_PROXY, else HTTP_PROXY; http ones only HTTP_PROXY.
  const httpsVia = proxy.httpsProxy ?? proxy.httpProxy!;
  const httpVia = proxy.httpProxy;
  const proxies = [...new Set([httpsVia, httpVia].filter((address): address is string => Boolean(address)))];
  const probes = await Promise.all(proxies.map(async (address) => ({ address, probe: await acceptsConnections(address) })));
  const described = (address: string) => {
    const { probe } = probes.find((entry) => entry.address === address)!;
    return `${urlWithoutCredentials(address)}: ${probe.ok ? `accepts connections (${probe.ms} ms)` : `cannot be reached (${probe.reason})`}`;
  };
  const facts: Array<[string, string]> =
    httpsVia === httpVia
      ? [['Egress proxy', described(httpsVia)]]
      : [
          ['Proxy for https destinations', described(httpsVia)],
          ['Proxy for http destinations', httpVia ? described(httpVia) : 'none: reached directly (HTTP_PROXY is not set)'],
        ];
  facts.push(['Reached directly (NO_PROXY)', proxy.noProxy || 'nothing'], guard);
  const down = probes.filter(({ probe }) => !probe.ok);
  if (down.length > 0) {
    return {
      id: 'outbound',
      title,
      state: 'error',
      summary: `The egress proxy ${urlWithoutCredentials(down[0]!.address)} cannot be reached: every request that goes through it fails (hosts in NO_PROXY are reached directly).`,
      facts,
      todo: 'Check HTTPS_PROXY / HTTP_PROXY (host and port) and that this server may connect to the proxy.',
    };
  }
  // A connection to the proxy is all that was checked: whether it lets a destination through is its own rules' answer.
  return { id: 'outbound', title, state: 'ok', summary: 'Through the egress proxy, which accepts connections; each request is still subject to its rules.', facts, todo: null };
}

export async function installationStatus(env: Env = process.env): Promise<InstallationCheck[]> {
  return Promise.all([databaseCheck(env), storageCheck(env), rateLimitCheck(env), signInCheck(env), secretsCheck(), workerCheck(), Promise.resolve(urlCheck(env)), outboundCheck(env)]);
}

/** The page's first line: broken, fine for a trial (with what to change before production), or ready. */
export function installationSummary(checks: InstallationCheck[]): { tone: 'error' | 'warning' | 'success'; title: string; toChange: InstallationCheck[] } {
  const broken = checks.filter((check) => check.state === 'error');
  if (broken.length > 0) {
    return { tone: 'error', title: `${broken.length === 1 ? 'One component does' : `${broken.length} components do`} not work: fix ${broken.length === 1 ? 'it' : 'them'} first.`, toChange: broken };
  }
  const attention = checks.filter((check) => check.state === 'attention');
  if (attention.length > 0) {
    return { tone: 'warning', title: 'Fine for a trial on one machine. Before production, change these:', toChange: attention };
  }
  return { tone: 'success', title: 'Ready for production: every component is set up for it and answers.', toChange: [] };
}
