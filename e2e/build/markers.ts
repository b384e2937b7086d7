/**
 * Strings that exist only in owner (vendor) code: finding one in the runtime build means owner
 * code leaked into the customer package. Each must also be found in the public build, which
 * proves the search works. Add a marker when owner-only code is added.
 */
export const OWNER_ONLY_MARKERS = [
  // The Stripe SDK's API host: present wherever Stripe's code is bundled.
  'api.stripe.com',
  // The license signer (lib/billing/license-issuer.ts, LICENSE_SIGNER_MARKER).
  'release-passport-owner-license-signer',
  // The billing webhook's processing (lib/billing/webhook-route.ts, WEBHOOK_MARKER).
  'release-passport-billing-webhook',
  // The package download link signer (lib/portal/download-links.ts).
  'release-passport-download-link/v1',
] as const;
