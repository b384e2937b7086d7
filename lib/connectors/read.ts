/**
 * Taking a reading: the target must be one the configuration names (checked before anything
 * else), the credential is resolved through the secrets layer as the connector's flow (its
 * environment), the request goes through the scoped HTTP client, and the outcome is recorded as
 * the connector's status. A reading is canonical JSON with a sha256 digest: evidence.
 */
import { logger } from '@/lib/http/logger';
import { canonicalJson, sha256Hex } from '@/lib/json/canonical';
import { plainJson } from '@/lib/json/plain';
import { resolveSecret, SecretError, type SecretActor, type SecretValue } from '@/lib/secrets';
import { ConnectorError, connectorHttp } from './http';
import { connectorKind } from './kinds';
import { ScopeError } from './scope';
import { recordConnectorOutcome, type Connector } from './store';
import type { ConnectorReading, ReadSubject } from './types';

export interface TakenReading {
  reading: ConnectorReading;
  /** sha256 (hex) of the reading's canonical JSON. */
  digest: string;
  /** The canonical JSON itself (what is stored as evidence). */
  canonical: string;
}

export interface ReadOptions {
  subject?: ReadSubject;
  actor: SecretActor;
  requestId?: string;
  /** The clock of the reading (tests; the gate passes its evaluation time). */
  now?: () => Date;
  /** Record the outcome in the connector's status (default true). */
  recordStatus?: boolean;
  /**
   * The environment of the flow the read runs for, when it is not the connector's own: a gate
   * evaluation reads as the release's environment.
   */
  flowEnvironment?: string | null;
}

/** Reads one target of a connector. Throws ScopeError, SecretError or ConnectorError. */
export async function takeReading(connector: Connector, target: string, options: ReadOptions): Promise<TakenReading> {
  const kind = connectorKind(connector.type);
  const config = kind.configSchema.parse(connector.config) as { baseUrl: string; timeoutMs: number; retries: number; pollIntervalSeconds: number };
  const now = options.now ?? (() => new Date());
  let credential: SecretValue | null = null;
  try {
    if (!kind.targets(config).includes(target)) {
      throw new ScopeError(`Connector "${connector.name}" does not read "${target}": its configuration names ${kind.targets(config).join(', ')}.`);
    }
    if (connector.secretRef) {
      credential = await resolveSecret(connector.secretRef, {
        workspace: { id: connector.workspaceId },
        flow: { purpose: 'connector', environment: options.flowEnvironment !== undefined ? options.flowEnvironment : connector.environment },
        actor: options.actor,
        requestId: options.requestId,
      });
    } else if (kind.credential === 'required') {
      throw new ConnectorError(`Connector "${connector.name}" has no credential configured`, null, false);
    }
    const http = connectorHttp({
      name: connector.name,
      baseUrl: config.baseUrl,
      allowed: kind.allowedRequests(config),
      headers: kind.headers?.(config),
      authorize: credential ? (headers) => kind.authorize(credential!.reveal(), headers, config) : undefined,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
    });
    const data = await kind.read({ config, http, subject: options.subject ?? {} }, target);
    // Plain JSON from here on (an outside system's optional fields are absent, not undefined): the
    // digest covers exactly what the snapshot stores and a later read gives back.
    const reading = plainJson({
      connector: { id: connector.id, type: connector.type, name: connector.name },
      target,
      subject: options.subject ?? {},
      observedAt: now().toISOString(),
      data,
    } satisfies ConnectorReading) as unknown as ConnectorReading;
    const canonical = canonicalJson(reading);
    const digest = sha256Hex(canonical);
    if (options.recordStatus !== false) {
      await recordConnectorOutcome(connector.workspaceId, connector.id, { ok: true, at: now(), pollIntervalSeconds: config.pollIntervalSeconds });
    }
    return { reading, digest, canonical };
  } catch (error) {
    const message = describeFailure(error, credential);
    if (options.recordStatus !== false) {
      await recordConnectorOutcome(connector.workspaceId, connector.id, { ok: false, at: now(), error: message, pollIntervalSeconds: config.pollIntervalSeconds });
    }
    if (error instanceof ScopeError || error instanceof SecretError || error instanceof ConnectorError) {
      // Same class, message re-checked for the credential.
      error.message = message;
      throw error;
    }
    throw new ConnectorError(message, null, false);
  }
}

/** The connector's last error as people read it: our own words, never the credential. */
function describeFailure(error: unknown, credential: SecretValue | null): string {
  const known = error instanceof ScopeError || error instanceof SecretError || error instanceof ConnectorError;
  let message = known ? (error as Error).message : 'unexpected error while reading (details in the server log)';
  // The stack as text with the credential cut out: an outside library's message may quote it.
  if (!known) logger.error({ stack: `${(error as Error)?.stack ?? String(error)}`.replaceAll(credential?.reveal() || '\0', '[redacted]') }, 'connector read failed');
  const value = credential?.reveal();
  if (value && value.length >= 4) message = message.replaceAll(value, '[redacted]');
  return message;
}
