/**
 * vitest setupFiles: every test file gets its own databases, cloned from the templates on first
 * use and removed after the file. Test code uses the same getRuntimeDb()/getOwnerDb() as the app.
 */
import { afterAll } from 'vitest';
import { ownerDatabase } from '../owner';
import { runtimeDatabase } from '../runtime';
import { cloneTestDatabase } from './templates';

// Set by the global setup: the server given in TEST_DATABASE_URL, or the run's embedded PostgreSQL.
const adminUrl = process.env.TEST_DATABASE_URL!;
const drops: Array<() => Promise<void>> = [];

for (const [kind, database] of [['runtime', runtimeDatabase], ['owner', ownerDatabase]] as const) {
  database.configure(async () => {
    const clone = await cloneTestDatabase(kind, adminUrl);
    drops.push(clone.drop);
    return { url: clone.url, maxConnections: 4 };
  });
}

afterAll(async () => {
  await runtimeDatabase.close();
  await ownerDatabase.close();
  await Promise.all(drops.map((drop) => drop()));
});
