/**
 * A connector's scope, enforced at the transport: from its configuration alone, each connector
 * type lists the exact requests it may send (method, path, and for every query parameter the
 * values it admits). The HTTP client checks every request against that list before it opens a
 * connection; anything else is refused with a ScopeError and never reaches the network. A read
 * function with a bug, a hostile configuration edit racing a poll, or a redirect cannot widen
 * what a connector reads.
 */

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

export type ParamRule = ((value: string) => boolean) | { anyOf: readonly string[] };

export interface AllowedRequest {
  method: 'GET';
  /** Path below the connector's base URL, exactly (segments are percent-encoded as sent). */
  path: string;
  /** Every query parameter the request may carry, with the values it admits; others are refused. */
  params?: Record<string, ParamRule>;
  /** Parameters that must be present. */
  required?: readonly string[];
}

export const anyNumber: ParamRule = (value) => /^-?\d+(\.\d+)?$/.test(value);
export const anyToken: ParamRule = (value) => /^[A-Za-z0-9._:=,/@+-]{1,512}$/.test(value);
export const oneOf = (values: readonly string[]): ParamRule => ({ anyOf: values });

/** Percent-encodes one path segment the way the request will carry it. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * Throws unless `url` is one of `allowed` under `baseUrl`: same origin, the base path as prefix,
 * an allowed method and path, and every query parameter admitted.
 */
export function assertInScope(baseUrl: URL, allowed: readonly AllowedRequest[], method: string, url: URL, connectorName: string): void {
  const refuse = (why: string) => {
    throw new ScopeError(`Connector "${connectorName}" refused ${method} ${url.pathname}: ${why}. Only what its configuration names is read.`);
  };
  if (url.origin !== baseUrl.origin) refuse(`${url.origin} is not the configured server`);
  if (url.username || url.password || url.hash) refuse('credentials or fragments in the URL');
  const base = baseUrl.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(base + '/')) refuse('outside the configured base path');
  const relative = url.pathname.slice(base.length);
  const candidates = allowed.filter((rule) => rule.method === method && rule.path === relative);
  if (candidates.length === 0) refuse('not a request its scope allows');
  const admitted = candidates.some((rule) => {
    for (const required of rule.required ?? []) if (!url.searchParams.has(required)) return false;
    for (const [name, value] of url.searchParams) {
      const check = rule.params?.[name];
      if (!check) return false;
      if (typeof check === 'function' ? !check(value) : !check.anyOf.includes(value)) return false;
    }
    return true;
  });
  if (!admitted) refuse('a query parameter is outside its scope');
}
