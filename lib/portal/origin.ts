/**
 * The site's own origin for links handed to Stripe (success, cancel and return URLs): the
 * configured public URL (production: the canonical https address), else the Host the buyer's own
 * browser sent (lib/http/origin.ts). Never X-Forwarded-Host: any client can write that header, and
 * a return URL from it would send the buyer elsewhere after paying.
 */
import { headers } from 'next/headers';
import { externalOrigin } from '@/lib/http/origin';

export async function siteOrigin(): Promise<string> {
  return externalOrigin(await headers(), 'http://localhost/');
}
