/** vitest globalSetup: make the migrated templates once for the whole run. */
import { ensurePgliteTemplate, ensurePostgresTemplate, KINDS } from './templates';

export default async function setup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  for (const kind of KINDS) {
    if (adminUrl) await ensurePostgresTemplate(kind, adminUrl);
    else await ensurePgliteTemplate(kind);
  }
}
