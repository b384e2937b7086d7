/**
 * The console suite's runtime: the production build on a port of this suite's range (3610-3619),
 * on its own Postgres database (so the suite can seed it while the server runs), with a story
 * written by the product's own data-access functions (lib/console/testing/scenario.ts): people in
 * every role with local passwords, evidence judged by the real gate, policies, passports, and what
 * runs in each environment (lib/deployments/testing.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import postgres from 'postgres';
import { getRuntimeDb, runtimeDatabase } from '@/db/runtime';
import { withDatabase } from '@/db/testing/templates';
import { seedScenario, type Scenario } from '@/lib/console/testing/scenario';
import { seedDeployments } from '@/lib/deployments/testing';
import { configureSecrets } from '@/lib/secrets';
import { FilesystemBlobStore } from '@/lib/storage/filesystem';
import { TEST_AUDIT, testWorkspace } from '@/lib/testing/identity';
import { addMember } from '@/lib/workspaces/members';
import { startTarget, type StartedServer } from '../../public/support/servers';
import { waitForHydration } from '../../support/hydration';

const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface SeededRuntime {
  url: string;
  scenario: Scenario;
  stop(): Promise<void>;
}

export async function startSeededRuntime(port: number): Promise<SeededRuntime> {
  const database = `rp_e2e_console_${process.pid}_${port}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.unsafe(`create database "${database}"`);
  const databaseUrl = withDatabase(POSTGRES_ADMIN_URL, database);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-console-'));
  // One store key and one blob directory for the server and this seeding process alike.
  const shared = { RP_SECRETS_KEY: crypto.randomBytes(32).toString('base64'), RP_BLOB_DIR: path.join(dataDir, 'blobs') };
  let runtime: StartedServer | null = null;
  try {
    runtime = await startTarget('runtime', port, { DATABASE_URL: databaseUrl, RP_EMBEDDED_WORKER: 'off', ...shared });
    runtimeDatabase.configure({ url: databaseUrl, maxConnections: 2 });
    configureSecrets({ target: 'runtime', env: { RP_DATA_DIR: dataDir, ...shared } });
    const db = await getRuntimeDb();
    const scenario = await seedScenario(db, new FilesystemBlobStore(shared.RP_BLOB_DIR), { slug: 'acme', emailDomain: 'acme.test' });
    // What runs where: the environment board and its timelines.
    await seedDeployments(db, scenario);
    // A second workspace with nothing in it yet: the empty states.
    const empty = await testWorkspace(db, 'empty', 'A new workspace');
    await addMember(db, empty.id, scenario.members.admin.id, 'admin', TEST_AUDIT);
    const started = runtime;
    return {
      url: started.url,
      scenario,
      stop: async () => {
        await runtimeDatabase.close();
        configureSecrets();
        await started.stop();
        await admin.unsafe(`drop database if exists "${database}" with (force)`);
        await admin.end();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await runtimeDatabase.close().catch(() => {});
    await runtime?.stop();
    await admin.unsafe(`drop database if exists "${database}" with (force)`).catch(() => {});
    await admin.end();
    throw error;
  }
}

/** Signs in through the login page with a local account, as a person would. */
export async function signIn(page: Page, url: string, email: string, password: string, then = '/console'): Promise<void> {
  await page.goto(`${url}/login?callbackUrl=${encodeURIComponent(then)}`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${then.replace(/[/]/g, '\\/')}$`));
}
