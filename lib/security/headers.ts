/**
 * Security headers for pages (docs/architecture.md). Edge-safe. The CSP uses a per-request nonce
 * with 'strict-dynamic', the only script policy that survives the App Router's own chunk loading.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean; https: boolean; formActionOrigins?: readonly string[] }): string {
  const scriptSrc = [`'self'`, `'nonce-${nonce}'`, `'strict-dynamic'`];
  if (options.development) scriptSrc.push(`'unsafe-eval'`); // React's dev tooling needs eval
  return [
    `default-src 'self'`,
    `script-src ${scriptSrc.join(' ')}`,
    // Tailwind's stylesheet is a file; React still sets a few style attributes.
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    // A form may lead elsewhere only where this site sends it on purpose (the portal's identity provider).
    `form-action ${["'self'", ...(options.formActionOrigins ?? [])].join(' ')}`,
    `frame-ancestors 'none'`,
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function generateNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Headers every response carries, set in next.config.ts so they cost no middleware call. */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];

export const HSTS_VALUE = 'max-age=63072000; includeSubDomains';

/** HSTS only means something over https; sent when the request (or the TLS proxy) says so. */
export function isHttps(url: URL, forwardedProto: string | null): boolean {
  return url.protocol === 'https:' || forwardedProto?.split(',')[0]?.trim() === 'https';
}
