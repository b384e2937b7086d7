/**
 * The site's own origin for links handed to Stripe (success, cancel and return URLs). RP_PUBLIC_URL
 * when set (production: the canonical https address), else the request's own origin.
 */
import { headers } from 'next/headers';

export async function siteOrigin(): Promise<string> {
  const configured = process.env.RP_PUBLIC_URL;
  if (configured) return new URL(configured).origin;
  const incoming = await headers();
  const host = incoming.get('x-forwarded-host') ?? incoming.get('host') ?? 'localhost';
  const proto = incoming.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
