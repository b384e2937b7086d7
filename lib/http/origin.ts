/**
 * The origin people use to reach this server, for redirects. Edge-safe. A route handler's
 * request.url carries the address the server is bound to (http://[::]:3000 with RP_BIND=::), which
 * a browser cannot follow, so: RP_PUBLIC_URL when configured, else the Host the client itself sent
 * (it can only send itself somewhere by it), else the request's own origin.
 */
import { configuredPublicUrl } from '@/lib/config/public-url';
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

export function externalOrigin(headers: Headers, requestUrl: string): string {
  const configured = configuredPublicUrl();
  if (configured) return configured.origin;
  const fallback = new URL(requestUrl);
  const host = headers.get('host');
  if (!host || !HOST.test(host)) return fallback.origin;
  const forwarded = headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const protocol = forwarded === 'https' || forwarded === 'http' ? forwarded : fallback.protocol.replace(':', '');
  return `${protocol}://${host}`;
}
