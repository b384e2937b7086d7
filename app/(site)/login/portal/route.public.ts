/**
 * POST /login/portal: the sign-in page's "Sign in to the portal" form (pages/login.public.tsx,
 * sent without React, so a plain form post rather than a server action). Starts the buyer's OIDC
 * sign-in and answers 303 to the identity provider; what a server action's frame would check is
 * checked here: a form from this site, bounded and well-formed.
 */
import { PORTAL_PROVIDER_ID, portalOidcConfigured, portalSignIn } from '@/lib/auth/portal';
import { portalIssuerOrigin } from '@/lib/config/portal-issuer';
import { logger } from '@/lib/http/logger';
import { sameOrigin } from '@/lib/http/same-origin';
import { actionParam } from '@/lib/http/server-action';
import { continueToSignInPage, formMayRedirectTo, portalReturnPath } from '@/lib/portal/login';
import { siteOrigin } from '@/lib/portal/origin';

export const dynamic = 'force-dynamic';

/** The form holds one short field; anything larger is not this form. */
const MAX_FORM_BYTES = 4096;

/** Back to the sign-in page, saying why (pages/login.public.tsx words each error). */
function back(error: string): Response {
  return new Response(null, { status: 303, headers: { location: `/login?error=${encodeURIComponent(error)}`, 'cache-control': 'no-store' } });
}

export async function POST(request: Request): Promise<Response> {
  // A page of another site may not start a sign-in in this browser.
  if (!sameOrigin(request)) return new Response('This form can only be sent from this site.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const length = Number(request.headers.get('content-length') ?? 'NaN');
  if (!Number.isFinite(length) || length > MAX_FORM_BYTES) return back('form');
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return back('form');
  }
  if (!actionParam.form.safeParse(form).success) return back('form');
  if (!(await portalOidcConfigured())) return back('portal-unavailable');
  const callbackUrl = form.get('callbackUrl');
  try {
    const location = await portalSignIn(PORTAL_PROVIDER_ID, { redirect: false, redirectTo: portalReturnPath(typeof callbackUrl === 'string' ? callbackUrl : undefined) });
    const site = new URL(await siteOrigin()).origin;
    const to = new URL(location, site);
    if (!formMayRedirectTo(to, site, portalIssuerOrigin())) {
      return new Response(continueToSignInPage(to), { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
    }
    // 303: the browser follows with a GET (a 307 would post the form on to the identity provider).
    return new Response(null, { status: 303, headers: { location: to.href, 'cache-control': 'no-store' } });
  } catch (error) {
    logger.error({ err: error }, 'portal sign-in could not start');
    return back('Configuration');
  }
}

