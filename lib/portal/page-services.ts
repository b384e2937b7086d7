/**
 * What the public pages sent without React (pages/, docs/architecture.md "The public site without
 * React") need from the server's modules marked `server-only`: the status page's live checks and
 * whether buyer sign-in is configured.
 *
 * The Pages Router refuses any module marked `server-only` in a page's graph, and the database,
 * the owner's secrets and next-auth are. instrumentation.public.ts (which may import them, and runs
 * once in the server process before any request) hands the functions over with
 * providePageServices; a page's getServerSideProps reads them with pageServices. This module
 * imports nothing, so a page's graph stays free of server-only code.
 */

export type ComponentState = 'operational' | 'degraded' | 'unavailable';

export interface ComponentStatus {
  name: string;
  state: ComponentState;
  detail: string;
}

export interface SiteStatus {
  checkedAt: Date;
  components: ComponentStatus[];
}

export interface PageServices {
  /** The live status of this site's own services (lib/portal/site-status.ts). */
  siteStatus(): Promise<SiteStatus>;
  /** Whether buyer sign-in is configured (lib/auth/portal.ts). */
  portalSignInAvailable(): Promise<boolean>;
}

// One process, two bundles (instrumentation's and the pages'): a module-level variable would not be
// shared between them, a global symbol is.
const KEY = Symbol.for('release-passport.page-services');
type Holder = { [KEY]?: PageServices };

export function providePageServices(services: PageServices): void {
  (globalThis as Holder)[KEY] = services;
}

export function pageServices(): PageServices {
  const services = (globalThis as Holder)[KEY];
  // Fails loudly rather than rendering a page that claims something it did not check.
  if (!services) throw new Error('The public site started without its page services: instrumentation.public.ts did not run.');
  return services;
}
