/**
 * The connector settings form: its scope is written as YAML (the same keys the API takes in
 * `config`), with an example per type. Parsing here turns the form into a ConnectorInput and
 * says plainly what is wrong.
 */
import YAML from 'yaml';
import { ProblemError } from '@/lib/http/problem';
import type { ConnectorInput } from './store';
import { CONNECTOR_TYPES, type ConnectorType } from './types';

export const SCOPE_EXAMPLES: Record<ConnectorType, string> = {
  kubernetes: 'namespaces: [production]\n# deployments: [api]   # optional: only these deployments',
  prometheus: 'queries:\n  - id: error-rate\n    query: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  loki: 'queries:\n  - id: panics\n    query: \'{app="api"} |= "panic"\'\n    rangeSeconds: 900\n# tenant: team-a   # optional: X-Scope-OrgID',
  'github-actions': 'repositories: [acme/api]\n# workflows: [ci.yml]   # optional: only these workflows count',
  argocd: 'applications: [api]',
  pagerduty: 'services: [PABC123]',
  sentry: 'organization: acme\nprojects: [api]\n# environment: production   # optional',
};

export const DEFAULT_BASE_URLS: Partial<Record<ConnectorType, string>> = {
  'github-actions': 'https://api.github.com',
  pagerduty: 'https://api.pagerduty.com',
  sentry: 'https://sentry.io',
};

/** The scope part of a stored config, as YAML for the edit form. */
export function scopeYaml(config: Record<string, unknown>): string {
  const { baseUrl: _baseUrl, timeoutMs: _timeout, retries: _retries, pollIntervalSeconds: _interval, ...scope } = config;
  return YAML.stringify(scope).trim();
}

export function connectorInputFromForm(formData: FormData): ConnectorInput {
  const text = (name: string) => String(formData.get(name) ?? '').trim();
  const type = text('type');
  if (!(CONNECTOR_TYPES as readonly string[]).includes(type)) {
    throw new ProblemError('validation-failed', 'Choose a connector type.', { errors: [{ path: 'type', message: 'required' }] });
  }
  let scope: unknown;
  try {
    scope = YAML.parse(text('scope') || '{}');
  } catch (error) {
    throw new ProblemError('validation-failed', 'The scope is not valid YAML.', { errors: [{ path: 'scope', message: (error as Error).message.split('\n')[0]! }] });
  }
  if (!scope || typeof scope !== 'object' || Array.isArray(scope)) {
    throw new ProblemError('validation-failed', 'The scope is a YAML mapping (key: value lines).', { errors: [{ path: 'scope', message: 'not a mapping' }] });
  }
  const number = (name: string) => (text(name) ? Number(text(name)) : undefined);
  const config: Record<string, unknown> = { ...(scope as Record<string, unknown>), baseUrl: text('baseUrl') || DEFAULT_BASE_URLS[type as ConnectorType] };
  for (const [name, value] of [
    ['timeoutMs', number('timeoutMs')],
    ['retries', number('retries')],
    ['pollIntervalSeconds', number('pollIntervalSeconds')],
  ] as const) {
    if (value !== undefined) config[name] = value;
  }
  return {
    name: text('name'),
    type: type as ConnectorType,
    environment: text('environment') || null,
    secretRef: text('secretRef') || null,
    enabled: text('enabled') !== 'no',
    config,
  };
}

/** A ProblemError's field errors as the form shows them (config.x → scope, unless a form field). */
export function formErrors(error: ProblemError): Record<string, string> {
  const fields = new Set(['name', 'type', 'environment', 'secretRef', 'baseUrl', 'timeoutMs', 'retries', 'pollIntervalSeconds', 'scope', 'version']);
  const result: Record<string, string> = {};
  for (const item of error.errors ?? []) {
    const path = item.path.replace(/^config\./, '');
    const field = fields.has(path) ? path : 'scope';
    result[field] ??= field === 'scope' && path !== 'scope' ? `${path}: ${item.message}` : item.message;
  }
  return result;
}
