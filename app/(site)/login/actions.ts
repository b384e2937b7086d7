'use server';

import { PORTAL_PROVIDER_ID, portalSignIn, portalSignOut } from '@/lib/portal/auth';
import { portalReturnPath } from '@/lib/portal/login';

/** Starts the buyer's OIDC sign-in; next-auth redirects to the identity provider. */
export async function signInToPortal(formData: FormData): Promise<void> {
  await portalSignIn(PORTAL_PROVIDER_ID, { redirectTo: portalReturnPath(String(formData.get('callbackUrl') ?? '')) });
}

export async function signOutOfPortal(): Promise<void> {
  await portalSignOut({ redirectTo: '/' });
}
