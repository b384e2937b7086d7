import { runtimeDatabase } from '@/db/runtime';
import { bootstrapInstallation, bootstrapMessage } from '@/lib/auth/bootstrap';
import { installRequestStartHook } from '@/lib/http/request-start';
import { settings, SettingsError } from '@/lib/config/settings';

/**
 * Start-up work of the runtime server, before traffic: the real peer address is stamped on
 * every request, the database is opened and migrated, a first start creates the bootstrap admin
 * and prints their one-time sign-in link, spool files of uploads a killed process left behind
 * are removed, and the embedded worker starts.
 */
export async function startRuntime(): Promise<void> {
  await refuseUnusableSettings();
  installRequestStartHook();
  // Sign-in builds its callback URLs (OIDC redirect_uri) from AUTH_URL when set; behind a proxy or
  // bound to 0.0.0.0 / :: the request's own URL is not the one people use, so RP_PUBLIC_URL is.
  // (Written for next-auth, which reads the environment itself.)
  const { publicUrl } = settings();
  // eslint-disable-next-line no-restricted-syntax -- a write for next-auth, after the settings were read
  if (!process.env.AUTH_URL && publicUrl) process.env.AUTH_URL = publicUrl.toString();
  const { db } = await runtimeDatabase.open();
  const bootstrap = await bootstrapInstallation(db);
  // A message to the person at the terminal, not a log line: plain text they can read and click.
  // eslint-disable-next-line no-console
  if (bootstrap?.link) console.log(bootstrapMessage(bootstrap));
  await sweepUploadSpool();
  // Background work (retention, connector polling, freshness) runs here unless separate
  // `rp worker` processes do it (RP_EMBEDDED_WORKER=off).
  const { startEmbeddedWorker } = await import('@/lib/worker/worker');
  startEmbeddedWorker();
}

/**
 * A setting that cannot work stops the start with a message naming it (every one at once), before
 * any request is served. The launcher checks the same schema before it starts anything; this is
 * for servers it did not start (`next dev`, a custom entry).
 */
async function refuseUnusableSettings(): Promise<void> {
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

async function sweepUploadSpool(): Promise<void> {
  const { getBlobStore } = await import('@/lib/storage');
  const { sweepSpool } = await import('@/lib/storage/spool');
  const { logger } = await import('@/lib/http/logger');
  const spoolDir = getBlobStore().spoolDir;
  try {
    const removed = await sweepSpool(spoolDir);
    if (removed.files > 0) logger.info({ spoolDir, ...removed }, 'removed spool files of uploads that did not finish (a process was killed mid-upload)');
  } catch (error) {
    // Not fatal: uploads still work; the operator sees why the sweep could not run.
    logger.warn({ spoolDir, err: error }, 'could not sweep the upload spool directory');
  }
}
