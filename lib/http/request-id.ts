/**
 * Correlation ids (docs/security-model.md): an incoming `x-request-id` is kept when it looks like an id a
 * proxy or CI would send, otherwise a new one is made. Edge-safe: Web Crypto only.
 */
export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTABLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function resolveRequestId(incoming: string | null | undefined): string {
  return incoming && ACCEPTABLE.test(incoming) ? incoming : crypto.randomUUID();
}
