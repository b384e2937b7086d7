/**
 * Every setting of the server, in one zod schema over the environment (docs/operations/settings.md
 * lists them for operators). The start parses them all before anything else happens (the launcher,
 * scripts/server.mjs, through the bundle scripts/build.mjs makes of this file; and the server's own
 * start, lib/startup/runtime.ts): a bad setting stops the start with a message naming it, and every
 * bad setting is named at once. Modules read their part typed from `settings()`, never
 * `process.env`.
 *
 * Not here, on purpose: secret values (keys, passwords, tokens, AUTH_SECRET) are read only by the
 * layer that uses them (lib/secrets, lib/auth), so they never sit in an object someone might log;
 * and the Edge middleware reads its two settings through the Edge-safe ./public-url.ts and
 * lib/target.ts (this module needs Node's net).
 */
import path from 'node:path';
import { z } from 'zod';
import { parseAddressList } from '@/lib/http/address-list';
import { normalizeProxyAddress, PROXY_ADDRESS_RULE } from '@/lib/http/proxy-address';
import { maskCredentials } from '@/lib/text/credentials';
import { parseLimitSpec, type LimitSpec } from '@/lib/ratelimit/limit-spec';
import { workspaceSlugSchema } from '@/lib/domain/primitives';
import { configuredPublicUrl } from './public-url';

export type Env = Readonly<Record<string, string | undefined>>;

/** A setting that cannot work: `problems` names each one ("RP_WORKERS must be ..., got "x"."). */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} settings cannot work:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

// ---- the one parser per kind of value ------------------------------------------------------------

const ON = ['on', 'true', '1', 'yes'];
const OFF = ['off', 'false', '0', 'no'];

/** On/off flags, one spelling set for all: on/off, true/false, 1/0, yes/no (any case). */
export function parseFlag(value: string): boolean | null {
  const lower = value.trim().toLowerCase();
  if (ON.includes(lower)) return true;
  if (OFF.includes(lower)) return false;
  return null;
}

const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const parsed = parseFlag(value);
      if (parsed === null) ctx.addIssue({ code: 'custom', message: 'must be on or off (also true/false, 1/0, yes/no)' });
      return parsed ?? fallback;
    });

const number = <F extends number | null = number>(options: { fallback: F; min: number; max?: number; integer?: boolean; unit: string }) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number | F => {
      if (value === undefined) return options.fallback;
      const parsed = Number(value);
      const whole = options.integer ? Number.isInteger(parsed) : Number.isFinite(parsed);
      if (!whole || parsed < options.min || (options.max !== undefined && parsed > options.max)) {
        const kind = options.integer ? 'a whole number of' : 'a number of';
        const range = options.max !== undefined ? `from ${options.min} to ${options.max}` : `${options.min} or more`;
        ctx.addIssue({ code: 'custom', message: `must be ${kind} ${options.unit}, ${range}` });
        return options.fallback;
      }
      return parsed;
    });

const text = (fallback: string) => z.string().optional().transform((value) => value ?? fallback);
const optionalText = () => z.string().optional().transform((value) => value ?? null);

const httpUrl = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const url = URL.canParse(value) ? new URL(value) : null;
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) address such as https://passport.example.com' });
        return null;
      }
      return value;
    });

/** An egress proxy (lib/http/proxy-address.ts), or null when unset. */
const proxyAddress = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value?.trim()) return null;
      const address = normalizeProxyAddress(value);
      if (!address) ctx.addIssue({ code: 'custom', message: PROXY_ADDRESS_RULE });
      return address;
    });

const addressList = (name: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseAddressList(value, name);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(`${name}: `, 'has ') });
        return parseAddressList(undefined, name);
      }
    });

const rateLimit = (fallback: LimitSpec) =>
  z
    .string()
    .optional()
    .transform((value, ctx): LimitSpec => {
      if (value === undefined) return fallback;
      const parsed = parseLimitSpec(value);
      if (!parsed) ctx.addIssue({ code: 'custom', message: 'must be requests per window such as 600/60s (units ms, s, m, h)' });
      return parsed ?? fallback;
    });

const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((value, ctx): T[number] => {
      if (value === undefined) return fallback;
      if ((values as readonly string[]).includes(value)) return value as T[number];
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return fallback;
    });

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// ---- the settings --------------------------------------------------------------------------------

/** Each variable the server reads, and how. Keys are the variable names, so messages name them. */
const variables = {
  RP_DATA_DIR: optionalText(),
  RP_PUBLIC_URL: httpUrl(),
  AUTH_URL: optionalText(),
  RP_BIND: text('127.0.0.1'),
  // 0: any free port (tests).
  PORT: number({ fallback: null, min: 0, max: 65535, integer: true, unit: 'port' }),
  RP_WORKERS: z
    .string()
    .optional()
    .transform((value, ctx): number | 'auto' => {
      if (value === undefined || value === 'auto') return value === 'auto' ? 'auto' : 1;
      const parsed = Number(value);
      if (Number.isInteger(parsed) && parsed >= 1 && parsed <= 256) return parsed;
      ctx.addIssue({ code: 'custom', message: 'must be a whole number of processes from 1 to 256, or "auto" (one per core)' });
      return 1;
    }),
  RP_SHUTDOWN_TIMEOUT: number({ fallback: 10, min: 0, max: 3600, unit: 'seconds' }),
  RP_LOG_LEVEL: choice(LOG_LEVELS, process.env.NODE_ENV === 'test' ? 'silent' : 'info'),

  DATABASE_URL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      if (!/^postgres(ql)?:\/\/./.test(value)) ctx.addIssue({ code: 'custom', message: 'must be a PostgreSQL URL: postgres://user:password@host:5432/database' });
      return value;
    }),
  RP_DATABASE_ENGINE: choice(['external', 'embedded'], 'external'),
  DATABASE_POOL_SIZE: number({ fallback: 10, min: 1, max: 1000, integer: true, unit: 'connections' }),
  DATABASE_PREPARED_STATEMENTS: flag(true),
  DATABASE_STATEMENT_TIMEOUT: number({ fallback: 10, min: 0.001, unit: 'seconds' }),
  DATABASE_LOCK_TIMEOUT: number({ fallback: 5, min: 0.001, unit: 'seconds' }),
  DATABASE_CONNECT_TIMEOUT: number({ fallback: 2, min: 0.001, unit: 'seconds' }),
  RP_EMBEDDED_DB_USER: optionalText(),
  RP_EMBEDDED_DB_START_TIMEOUT: number({ fallback: 120, min: 1, unit: 'seconds' }),

  REDIS_URL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      if (!/^rediss?:\/\/./.test(value)) ctx.addIssue({ code: 'custom', message: 'must be a redis:// or rediss:// URL' });
      return value;
    }),
  UPSTASH_REDIS_REST_URL: httpUrl(),
  RP_RATE_LIMIT_PREFIX: text('rp:rl'),
  RP_RATE_LIMIT_API: rateLimit({ tokens: 600, windowMs: 60_000 }),
  RP_RATE_LIMIT_AUTH_FAILURES: rateLimit({ tokens: 30, windowMs: 60_000 }),
  RP_RATE_LIMIT_SIGN_IN: rateLimit({ tokens: 10, windowMs: 300_000 }),
  RP_RATE_LIMIT_WEBHOOK: rateLimit({ tokens: 300, windowMs: 60_000 }),
  RP_TRUSTED_PROXIES: addressList('RP_TRUSTED_PROXIES'),
  RP_CONNECTOR_ALLOWED_ADDRESSES: addressList('RP_CONNECTOR_ALLOWED_ADDRESSES'),
  // The egress proxy for the server's own requests (lib/http/egress-proxy.ts), named as curl and
  // most tools name it; the lower-case spelling wins when both are set, as in curl.
  https_proxy: proxyAddress(),
  HTTPS_PROXY: proxyAddress(),
  http_proxy: proxyAddress(),
  HTTP_PROXY: proxyAddress(),
  no_proxy: optionalText(),
  NO_PROXY: optionalText(),

  RP_STORAGE_DRIVER: choice(['filesystem', 's3'], 'filesystem'),
  RP_BLOB_DIR: optionalText(),
  RP_S3_BUCKET: optionalText(),
  RP_S3_ENDPOINT: httpUrl(),
  RP_S3_REGION: text('us-east-1'),
  RP_S3_PREFIX: text(''),
  RP_S3_FORCE_PATH_STYLE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const parsed = parseFlag(value);
      if (parsed === null) ctx.addIssue({ code: 'custom', message: 'must be on or off (also true/false, 1/0, yes/no)' });
      return parsed;
    }),
  RP_S3_ACCESS_KEY_ID: optionalText(),

  RP_EMBEDDED_WORKER: flag(true),
  RP_WORKER_LEASE_SECONDS: number({ fallback: 30, min: 3, max: 3600, integer: true, unit: 'seconds' }),
  RP_RETENTION_INTERVAL_SECONDS: number({ fallback: 3600, min: 10, integer: true, unit: 'seconds' }),
  RP_FRESHNESS_INTERVAL_SECONDS: number({ fallback: 300, min: 10, integer: true, unit: 'seconds' }),

  RP_LOCAL_ACCOUNTS: flag(true),
  RP_OIDC_ISSUER: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      // Tokens and keys from a plain-http issuer could be changed on the way: only on this machine.
      const url = URL.canParse(value) ? new URL(value) : null;
      if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname)))) {
        ctx.addIssue({ code: 'custom', message: 'must be an https URL (http only for localhost)' });
        return null;
      }
      return value;
    }),
  RP_OIDC_CLIENT_ID: optionalText(),
  RP_OIDC_NAME: text('single sign-on'),
  RP_AUTH_PROXY_ADDRESSES: optionalText(),
  RP_AUTH_PROXY_SECRET_HEADER: text('x-rp-proxy-secret'),
  RP_AUTH_PROXY_EMAIL_HEADER: text('x-forwarded-email'),
  RP_AUTH_PROXY_NAME_HEADER: text('x-forwarded-preferred-username'),
  RP_BOOTSTRAP_ADMIN_EMAIL: z.email({ message: 'must be an email address' }).optional().transform((value) => value ?? 'admin@localhost'),
  RP_BOOTSTRAP_WORKSPACE: workspaceSlugSchema.optional().transform((value) => value ?? 'default'),
  RP_BOOTSTRAP_WORKSPACE_NAME: text('Default workspace'),
  RP_LICENSE_TEST_PUBLIC_KEY: optionalText(),
  RP_LICENSE_TEST_PUBLIC_KEY_FILE: optionalText(),

  RP_SECRETS_POLICY_FILE: optionalText(),
  RP_SIGSTORE_TRUSTED_ROOT_FILE: optionalText(),
  RP_VAULT_ADDR: httpUrl(),
  RP_VAULT_NAMESPACE: optionalText(),

  PORTAL_OIDC_ISSUER: httpUrl(),
  PORTAL_OIDC_CLIENT_ID: optionalText(),
  PORTAL_OIDC_NAME: text('your account'),
  PORTAL_ADMIN_EMAILS: text(''),
  RP_RELEASES_DIR: optionalText(),
  STRIPE_API_BASE: httpUrl(),

  RP_BENCH: flag(false),
};

export const SETTING_NAMES = Object.keys(variables) as (keyof typeof variables)[];

const schema = z.object(variables);

/** Settings that only work together; checked whatever else is wrong, so every problem is named at once. */
function pairProblems(input: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const bind = input.RP_BIND ?? '127.0.0.1';
  // Bound beyond loopback, the Host header a request carries is whatever the client wrote: links,
  // sign-in callbacks and DPoP checks must come from the configured address instead.
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/i.test(bind) && !input.RP_PUBLIC_URL) {
    problems.push(
      `RP_BIND is ${bind}, beyond this machine, but RP_PUBLIC_URL is not set: set it to the address people and CI use (https://passport.example.com), so that no link or sign-in callback is built from a client's Host header.`,
    );
  }
  if (Boolean(input.RP_OIDC_ISSUER) !== Boolean(input.RP_OIDC_CLIENT_ID)) {
    problems.push(`${input.RP_OIDC_ISSUER ? 'RP_OIDC_CLIENT_ID' : 'RP_OIDC_ISSUER'} must be set too: single sign-on needs both RP_OIDC_ISSUER and RP_OIDC_CLIENT_ID.`);
  }
  if (input.RP_STORAGE_DRIVER === 's3' && !input.RP_S3_BUCKET) problems.push('RP_S3_BUCKET must be set when RP_STORAGE_DRIVER is s3.');
  return problems;
}

type Raw = z.output<typeof schema>;

/** The typed settings, grouped by the part of the product that uses them. */
export type Settings = ReturnType<typeof shape>;

function shape(raw: Raw, env: Env) {
  // The turbopackIgnore comments keep the build's file tracing from copying a developer's data
  // directory (session key, database) into the standalone output.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ raw.RP_DATA_DIR ?? path.join(/*turbopackIgnore: true*/ process.cwd(), '.data'));
  return {
    dataDir,
    /** RP_PUBLIC_URL, else next-auth's AUTH_URL (./public-url.ts, shared with the Edge middleware). */
    publicUrl: configuredPublicUrl(env),
    bind: raw.RP_BIND,
    /** PORT, or null when not set (the server then listens on 3000). */
    port: raw.PORT,
    workers: raw.RP_WORKERS,
    shutdownSeconds: raw.RP_SHUTDOWN_TIMEOUT,
    logLevel: raw.RP_LOG_LEVEL,
    database: {
      url: raw.DATABASE_URL,
      engine: raw.RP_DATABASE_ENGINE,
      poolSize: raw.DATABASE_POOL_SIZE,
      preparedStatements: raw.DATABASE_PREPARED_STATEMENTS,
      statementMs: Math.round(raw.DATABASE_STATEMENT_TIMEOUT * 1000),
      lockMs: Math.round(raw.DATABASE_LOCK_TIMEOUT * 1000),
      connectSeconds: raw.DATABASE_CONNECT_TIMEOUT,
      embeddedUser: raw.RP_EMBEDDED_DB_USER,
      embeddedStartSeconds: raw.RP_EMBEDDED_DB_START_TIMEOUT,
    },
    rateLimits: {
      redisUrl: raw.REDIS_URL,
      upstashUrl: raw.UPSTASH_REDIS_REST_URL,
      prefix: raw.RP_RATE_LIMIT_PREFIX,
      api: raw.RP_RATE_LIMIT_API,
      authFailures: raw.RP_RATE_LIMIT_AUTH_FAILURES,
      signIn: raw.RP_RATE_LIMIT_SIGN_IN,
      webhook: raw.RP_RATE_LIMIT_WEBHOOK,
    },
    trustedProxies: raw.RP_TRUSTED_PROXIES,
    connectorAllowedAddresses: raw.RP_CONNECTOR_ALLOWED_ADDRESSES,
    egressProxy: egressProxy(raw),
    storage: {
      driver: raw.RP_STORAGE_DRIVER,
      blobDir: path.resolve(/*turbopackIgnore: true*/ raw.RP_BLOB_DIR ?? path.join(/*turbopackIgnore: true*/ dataDir, 'blobs')),
      s3: {
        bucket: raw.RP_S3_BUCKET,
        endpoint: raw.RP_S3_ENDPOINT,
        region: raw.RP_S3_REGION,
        prefix: raw.RP_S3_PREFIX,
        // A custom endpoint (MinIO, Ceph) usually serves buckets as paths, not subdomains.
        forcePathStyle: raw.RP_S3_FORCE_PATH_STYLE ?? Boolean(raw.RP_S3_ENDPOINT),
        accessKeyId: raw.RP_S3_ACCESS_KEY_ID,
      },
    },
    worker: {
      embedded: raw.RP_EMBEDDED_WORKER,
      leaseSeconds: raw.RP_WORKER_LEASE_SECONDS,
      retentionIntervalSeconds: raw.RP_RETENTION_INTERVAL_SECONDS,
      freshnessIntervalSeconds: raw.RP_FRESHNESS_INTERVAL_SECONDS,
    },
    signIn: {
      localAccounts: raw.RP_LOCAL_ACCOUNTS,
      oidc: raw.RP_OIDC_ISSUER && raw.RP_OIDC_CLIENT_ID ? { issuer: raw.RP_OIDC_ISSUER, clientId: raw.RP_OIDC_CLIENT_ID, name: raw.RP_OIDC_NAME } : null,
      proxy: raw.RP_AUTH_PROXY_ADDRESSES
        ? {
            addresses: parseAddressList(raw.RP_AUTH_PROXY_ADDRESSES, 'RP_AUTH_PROXY_ADDRESSES'),
            secretHeader: raw.RP_AUTH_PROXY_SECRET_HEADER.toLowerCase(),
            emailHeader: raw.RP_AUTH_PROXY_EMAIL_HEADER.toLowerCase(),
            nameHeader: raw.RP_AUTH_PROXY_NAME_HEADER.toLowerCase(),
          }
        : null,
    },
    bootstrap: { adminEmail: raw.RP_BOOTSTRAP_ADMIN_EMAIL, workspaceSlug: raw.RP_BOOTSTRAP_WORKSPACE, workspaceName: raw.RP_BOOTSTRAP_WORKSPACE_NAME },
    license: { testPublicKey: raw.RP_LICENSE_TEST_PUBLIC_KEY?.trim() || null, testPublicKeyFile: raw.RP_LICENSE_TEST_PUBLIC_KEY_FILE?.trim() || null },
    secrets: { policyFile: raw.RP_SECRETS_POLICY_FILE, vaultAddr: raw.RP_VAULT_ADDR, vaultNamespace: raw.RP_VAULT_NAMESPACE },
    /** A Sigstore trusted_root.json replacing the public-good one shipped in lib/evidence/sigstore/. */
    sigstore: { trustedRootFile: raw.RP_SIGSTORE_TRUSTED_ROOT_FILE?.trim() || null },
    portal: {
      oidc: raw.PORTAL_OIDC_ISSUER && raw.PORTAL_OIDC_CLIENT_ID ? { issuer: raw.PORTAL_OIDC_ISSUER, clientId: raw.PORTAL_OIDC_CLIENT_ID, name: raw.PORTAL_OIDC_NAME } : null,
      adminEmails: raw.PORTAL_ADMIN_EMAILS.split(',')
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
      releasesDir: path.resolve(/*turbopackIgnore: true*/ raw.RP_RELEASES_DIR ?? path.join(/*turbopackIgnore: true*/ dataDir, 'public', 'releases')),
      stripeApiBase: raw.STRIPE_API_BASE,
    },
    benchProbe: raw.RP_BENCH,
  };
}

/**
 * The proxy for outbound requests, or null for none. HTTP_PROXY alone serves https destinations
 * too (as undici, and so the rp CLI, read it); NO_PROXY lists hosts reached directly.
 */
function egressProxy(raw: Raw): { httpProxy: string | null; httpsProxy: string | null; noProxy: string } | null {
  const httpProxy = raw.http_proxy ?? raw.HTTP_PROXY;
  const httpsProxy = raw.https_proxy ?? raw.HTTPS_PROXY;
  if (!httpProxy && !httpsProxy) return null;
  return { httpProxy, httpsProxy, noProxy: (raw.no_proxy ?? raw.NO_PROXY ?? '').trim() };
}

/** Parses `env`; the problems name every setting that cannot work. Empty values count as unset. */
export function parseSettings(env: Env): { settings: Settings; problems: string[] } {
  const input: Record<string, string | undefined> = {};
  for (const name of SETTING_NAMES) input[name] = env[name] === '' ? undefined : env[name];
  const result = schema.safeParse(input);
  const problems = (result.error?.issues ?? []).map((issue) => {
    const name = String(issue.path[0] ?? 'settings');
    const value = input[name];
    return `${name} ${issue.message}${value === undefined ? '.' : `, got "${maskCredentials(value)}".`}`;
  });
  problems.push(...pairProblems(input));
  if (!result.success || problems.length > 0) return { settings: undefined as never, problems };
  return { settings: shape(result.data, env), problems: [] };
}

const cache = new WeakMap<Env, { key: string; settings: Settings; checkedAt: number }>();

/**
 * Inside the server (Next sets NEXT_RUNTIME) the environment is written once, before traffic, so
 * the variables are compared at most this often: reading its 68 variables is 68 native calls, and
 * the gate asks for its settings several times a request (about 1% of its CPU, profiled).
 */
const SERVER_RECHECK_MS = 1000;

/**
 * The settings of `env` (process.env by default), parsed once and again only when one of the
 * variables changes (tests stub them; the CLI sets DATABASE_URL for its embedded database).
 * Throws SettingsError naming each bad setting: the start calls it first, so a running server
 * never meets one.
 */
export function settings(env: Env = process.env): Settings {
  const cached = cache.get(env);
  const now = Date.now();
  if (cached && process.env.NEXT_RUNTIME && now - cached.checkedAt < SERVER_RECHECK_MS) return cached.settings;
  let key = '';
  for (const name of SETTING_NAMES) key += `${env[name] ?? ''}\u0000`;
  if (cached && cached.key === key) {
    cached.checkedAt = now;
    return cached.settings;
  }
  const parsed = parseSettings(env);
  if (parsed.problems.length > 0) throw new SettingsError(parsed.problems);
  cache.set(env, { key, settings: parsed.settings, checkedAt: now });
  return parsed.settings;
}
