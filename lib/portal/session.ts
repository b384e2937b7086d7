/**
 * The server-side check of every portal page, action and route: a valid session cookie naming a
 * customer who exists in the database. The middleware only redirects missing sessions; this is
 * the check that counts (CVE-2025-29927).
 */
import { redirect } from 'next/navigation';
import type { Customer } from '@/lib/billing/entitlements';
import { portalAuth } from '@/lib/auth/portal';
import { customerById } from './customers';

export async function currentBuyer(): Promise<Customer | null> {
  const session = await portalAuth();
  return session?.customerId ? customerById(session.customerId) : null;
}

export async function requireBuyer(returnTo: string): Promise<Customer> {
  const customer = await currentBuyer();
  if (!customer) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return customer;
}

export { isPortalAdmin } from './customers';
