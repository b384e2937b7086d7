import cluster from 'node:cluster';
import { runtimeDatabase } from '@/db/runtime';
import { bootstrapInstallation, bootstrapMessage } from '@/lib/auth/bootstrap';
import { installRequestStartHook } from '@/lib/http/request-start';
import { settings } from '@/lib/config/settings';
import { startOnceTheDatabaseAnswers } from './database-start';
import { refuseUnusableSettings } from './refuse-settings';

/**
 * Start-up work of the runtime server, before traffic: the real peer address is stamped on
 * every request, spool files of uploads a killed process left behind are removed, the database
 * is opened and migrated, a first start creates the bootstrap admin and prints their one-time
 * sign-in link, and the embedded worker starts. The database's part waits for a database that
 * cannot be reached yet (./database-start.ts).
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
  await sweepUploadSpool();
  await startOnceTheDatabaseAnswers(startWithDatabase);
}

/** The database's part of the start: open and migrate, the first admin, the embedded worker. */
async function startWithDatabase(): Promise<void> {
  const { db } = await runtimeDatabase.open();
  const bootstrap = startsTheLaunch() ? await bootstrapInstallation(db) : null;
  // A message to the person at the terminal, not a log line: plain text they can read and click.
  // eslint-disable-next-line no-console
  if (bootstrap?.link) console.log(bootstrapMessage(bootstrap));
  // Background work (retention, connector polling, freshness) runs here unless separate
  // `rp worker` processes do it (RP_EMBEDDED_WORKER=off).
  const { startEmbeddedWorker } = await import('@/lib/worker/worker');
  startEmbeddedWorker();
}

/**
 * Whether this process does a start's once-only work (the first admin and the sign-in link it
 * prints): a server on its own, or the first of the N processes the launcher starts together
 * with RP_WORKERS=N (node:cluster numbers them from 1). Each of them printed a fresh link before,
 * and each link replaced the one printed just before it, so the first link on the screen did not
 * work. A process started later to replace one that died is not a start either.
 */
function startsTheLaunch(): boolean {
  return !cluster.isWorker || cluster.worker?.id === 1;
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
