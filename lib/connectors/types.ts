/**
 * Connector types, their common settings and the shape of a reading. A connector is configured
 * per workspace with a scope (exactly what it may read), a secret reference for its credential,
 * and optionally the environment it serves (which decides which secrets its flow may read).
 */
import { z } from 'zod';
import type { ConnectorHttpOptions, connectorHttp } from './http';
import type { AllowedRequest } from './scope';

export const CONNECTOR_TYPES = ['kubernetes', 'prometheus', 'loki', 'github-actions', 'argocd', 'pagerduty', 'sentry'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export type ConnectorCategory = 'orchestration' | 'metrics' | 'logs' | 'ci' | 'gitops' | 'incidents' | 'errors';

/** Settings every connector has, beside its scope. */
export const commonSettings = {
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'the base URL is an http(s) URL' })
    // zod runs refinements even after the URL check failed: parse defensively (a fuzzed value threw here).
    .refine((value) => URL.canParse(value) && ((url) => !url.username && !url.password && !url.search && !url.hash)(new URL(value)), {
      message: 'the base URL carries no credentials, query or fragment (the credential is a secret reference)',
    }),
  timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
  retries: z.number().int().min(0).max(5).default(2),
  pollIntervalSeconds: z.number().int().min(30).max(86_400).default(300),
};

export const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes name: lowercase letters, digits and "-"');
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'lowercase letters, digits, "-" and "."');
export const queryId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'query ids are lowercase letters, digits and "-"');

/** What a read is about, beyond its target: the release being judged. */
export interface ReadSubject {
  /** Source SHA (CI runs are read for it). */
  sha?: string;
}

export interface ReadContext<TConfig> {
  config: TConfig;
  http: ReturnType<typeof connectorHttp>;
  subject: ReadSubject;
}

/** The normalized result of one read, as a reading's `data`. */
export type ReadingData = Record<string, unknown>;

export interface ConnectorKind<TConfig = unknown> {
  type: ConnectorType;
  label: string;
  category: ConnectorCategory;
  /** Whether a credential is needed (a secret reference). */
  credential: 'required' | 'optional';
  configSchema: z.ZodType<TConfig>;
  /** Every request the configuration allows; the transport refuses anything else. */
  allowedRequests(config: TConfig): AllowedRequest[];
  /** The things it reads (namespaces, query ids, repositories...), as the configuration names them. */
  targets(config: TConfig): string[];
  /** Headers beside the credential (API versions, tenants). */
  headers?(config: TConfig): Record<string, string>;
  authorize(credential: string, headers: Headers, config: TConfig): void;
  /** Whether a read of this kind needs the release's SHA (and so is taken at gate time, not polled). */
  needsSha?: boolean;
  read(context: ReadContext<TConfig>, target: string): Promise<ReadingData>;
  /**
   * The images a reading of this kind shows running (orchestration and GitOps connectors): what a
   * poll records on the environment board (lib/deployments) for the connector's environment.
   */
  runningImages?(data: ReadingData): Array<{ image: string; workload?: string }>;
}

export type HttpSettings = Pick<ConnectorHttpOptions, 'timeoutMs' | 'retries'>;

export interface ConnectorReading {
  connector: { id: string; type: ConnectorType; name: string };
  target: string;
  subject: ReadSubject;
  /** When it was read (ISO 8601). */
  observedAt: string;
  data: ReadingData;
}

export const bearer = (credential: string, headers: Headers) => headers.set('authorization', `Bearer ${credential}`);
