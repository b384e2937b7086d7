import { settings, SettingsError } from '@/lib/config/settings';

/**
 * A setting that cannot work stops the start with a message naming it (every one at once), before
 * any request is served. The launcher checks the same schema before it starts anything; this is
 * for servers it did not start (`next dev`, a custom entry).
 */
export async function refuseUnusableSettings(): Promise<void> {
  try {
    settings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    // Both: the log line for whoever collects the logs, the plain line for the operator's terminal.
    const { logger } = await import('@/lib/http/logger');
    logger.fatal({ exitCode: 78 }, `refusing to start: ${error.message}`);
    // eslint-disable-next-line no-console -- the operator's terminal
    console.error(`rp-server: refusing to start: ${error.message}`);
    // EX_CONFIG: the launcher (scripts/server.mjs) stops instead of starting the worker again.
    process.exit(78);
  }
}
