/** Runs once when the public site's server starts (Node only): peer addresses for rate limits, then the owner database. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { refuseUnusableSettings } = await import('./lib/startup/refuse-settings');
  await refuseUnusableSettings();
  const { installRequestStartHook } = await import('./lib/http/request-start');
  installRequestStartHook();
  const { ownerDatabase } = await import('./db/owner');
  await ownerDatabase.open();
}
