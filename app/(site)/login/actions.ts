'use server';

import { PORTAL_PROVIDER_ID, portalSignIn, portalSignOut } from '@/lib/auth/portal';
import { portalReturnPath } from '@/lib/portal/login';
import { actionParam, formAction } from '@/lib/http/server-action';

/** Starts the buyer's OIDC sign-in; next-auth redirects to the identity provider. */
export const signInToPortal = formAction('signInToPortal', [actionParam.form], async (formData) => {
  await portalSignIn(PORTAL_PROVIDER_ID, { redirectTo: portalReturnPath(String(formData.get('callbackUrl') ?? '')) });
});

export const signOutOfPortal = formAction('signOutOfPortal', [], async () => {
  await portalSignOut({ redirectTo: '/' });
});
