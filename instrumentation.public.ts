/** Runs once when the public site's server starts (Node only): peer addresses for rate limits, the owner database, the pages' server services. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { refuseUnusableSettings } = await import('./lib/startup/refuse-settings');
  await refuseUnusableSettings();
  const { installRequestStartHook } = await import('./lib/http/request-start');
  installRequestStartHook();
  const { ownerDatabase } = await import('./db/owner');
  await ownerDatabase.open();
  // The pages sent without React cannot import these server-only modules (lib/portal/page-services.ts).
  const [{ providePageServices }, { siteStatus }, { portalOidcConfigured }] = await Promise.all([
    import('./lib/portal/page-services'),
    import('./lib/portal/site-status'),
    import('./lib/auth/portal'),
  ]);
  providePageServices({ siteStatus, portalSignInAvailable: portalOidcConfigured });
}
