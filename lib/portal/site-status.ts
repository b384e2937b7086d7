/**
 * The public status page's checks of this site's own services, computed live (cached briefly).
 * Customer runtimes are self-hosted: their status is their own /api/health and /api/ready.
 */
import { migrationStatus } from '@/db/client';
import { ownerDatabase } from '@/db/owner';
import { ownerSecretsStatus } from '@/lib/billing/secret-settings';
import type { ComponentStatus, SiteStatus } from './page-services';
import { currentRelease } from './releases';

const TTL_MS = 30_000;
let cached: { at: number; components: ComponentStatus[] } | null = null;

export async function siteStatus(): Promise<SiteStatus> {
  if (cached && Date.now() - cached.at < TTL_MS) return { checkedAt: new Date(cached.at), components: cached.components };
  const secrets = new Map((await ownerSecretsStatus()).map((secret) => [secret.name, secret.set]));
  const database = await databaseState();
  const release = currentRelease();
  const components: ComponentStatus[] = [
    { name: 'Website and documentation', state: 'operational', detail: 'Serving pages.' },
    database,
    {
      name: 'Checkout and billing',
      state: database.state !== 'operational' ? 'unavailable' : secrets.get('stripe.secretKey') && secrets.get('stripe.webhookSecret') ? 'operational' : 'unavailable',
      detail: secrets.get('stripe.secretKey') && secrets.get('stripe.webhookSecret') ? 'Payments and payment events are processed.' : 'Payments are not accepted at the moment.',
    },
    {
      name: 'License issuance',
      state: database.state !== 'operational' ? 'unavailable' : secrets.get('license.signingKey') ? 'operational' : 'unavailable',
      detail: secrets.get('license.signingKey') ? 'Licenses are issued on payment.' : 'Licenses cannot be issued at the moment; payments are retried until they are.',
    },
    {
      name: 'Downloads',
      state: release.published ? (release.release.problems.length ? 'degraded' : 'operational') : 'unavailable',
      detail: release.published ? `Version ${release.release.manifest.version} is available, verified.` : release.reason,
    },
  ];
  cached = { at: Date.now(), components };
  return { checkedAt: new Date(cached.at), components };
}

async function databaseState(): Promise<ComponentStatus> {
  const name = 'Customer portal';
  try {
    const status = await migrationStatus(await ownerDatabase.open());
    return status.current ? { name, state: 'operational', detail: 'Sign-in, subscriptions and licenses are available.' } : { name, state: 'degraded', detail: 'Maintenance in progress.' };
  } catch {
    return { name, state: 'unavailable', detail: 'The portal cannot reach its database.' };
  }
}
