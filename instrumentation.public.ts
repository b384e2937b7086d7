/** Runs once when the public site's server starts (Node only): peer addresses for rate limits, the pages' server services, the owner database. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { refuseUnusableSettings } = await import('./lib/startup/refuse-settings');
  await refuseUnusableSettings();
  const { installRequestStartHook } = await import('./lib/http/request-start');
  installRequestStartHook();
  // The pages sent without React cannot import these server-only modules (lib/portal/page-services.ts).
  const [{ providePageServices }, { siteStatus }, { portalOidcConfigured }] = await Promise.all([
    import('./lib/portal/page-services'),
    import('./lib/portal/site-status'),
    import('./lib/auth/portal'),
  ]);
  providePageServices({ siteStatus, portalSignInAvailable: portalOidcConfigured });
  // Opened and migrated before traffic; a database that cannot be reached yet does not keep the
  // pricing and docs pages down (lib/startup/database-start.ts).
  const [{ ownerDatabase }, { startOnceTheDatabaseAnswers }] = await Promise.all([import('./db/owner'), import('./lib/startup/database-start')]);
  await startOnceTheDatabaseAnswers(async () => {
    await ownerDatabase.open();
  });
}
