/**
 * The owner's secrets (public target only), through lib/secrets: each is an installation secret
 * named by a reference (`<VAR>_REF`: env:NAME, file:/path, store:path; else the variable; else
 * `<VAR>_FILE`), resolved at the place of use, its read audited. Values are never logged or shown:
 * the portal's admin page shows the status (set or not, and where from).
 * This module is the one place that names them: it registers them with lib/secrets, so only the
 * public build knows them and the customer package never even contains their names.
 */
import {
  installationSecretsStatus,
  registerInstallationSecrets,
  resolveInstallationSecret,
  type InstallationSecretDefinition,
  type InstallationSecretStatus,
} from '@/lib/secrets';

const OWNER_SECRETS = [
  { name: 'stripe.secretKey', variable: 'STRIPE_SECRET_KEY', label: 'Stripe API key', description: 'Checkout, billing portal and subscription reads (a test-mode key in staging).', purpose: 'system', required: true },
  { name: 'stripe.webhookSecret', variable: 'STRIPE_WEBHOOK_SECRET', label: 'Stripe webhook signing secret', description: 'Verifies every billing webhook event.', purpose: 'system', required: true },
  { name: 'portal.oidcClientSecret', variable: 'PORTAL_OIDC_CLIENT_SECRET', label: 'Portal OIDC client secret', description: 'Buyer sign-in to the portal.', purpose: 'system', required: false },
  { name: 'license.signingKey', variable: 'RP_OWNER_LICENSE_KEY', label: 'Owner license signing key (Ed25519)', description: 'Signs the licenses the portal issues.', purpose: 'signing', required: true },
  { name: 'downloads.linkSecret', variable: 'RP_DOWNLOAD_LINK_SECRET', label: 'Download link secret', description: 'Signs expiring package download links.', purpose: 'signing', required: false },
] as const satisfies ReadonlyArray<Omit<InstallationSecretDefinition, 'targets'>>;

registerInstallationSecrets(OWNER_SECRETS.map((secret): InstallationSecretDefinition => ({ ...secret, targets: ['public'] })));

export type OwnerSecretName = (typeof OWNER_SECRETS)[number]['name'];

/** The secret's value, or null when it is not configured. */
export async function readOwnerSecret(name: OwnerSecretName): Promise<string | null> {
  const value = await resolveInstallationSecret(name, { actor: { type: 'system', label: 'public site' } });
  return value ? value.reveal() : null;
}

/** Every installation secret of the public site: whether it is set and where from, never a value. */
export function ownerSecretsStatus(): Promise<InstallationSecretStatus[]> {
  return installationSecretsStatus();
}
