/**
 * What runs where in the console scenario (lib/console/testing/scenario.ts), recorded through the
 * product's own recordSnapshot as `rp report-deployment` calls would: for the console's tests and
 * its Playwright seed.
 *
 *   staging     checkout v1 (passported); payments v1 (its passport denied: drift)
 *   production  checkout v1 (no passport there), replaced by v2 (denied: drift);
 *               legacy by tag only (unpinned); search (no passport)
 */
import type { RuntimeDb } from '@/db/runtime';
import { IMAGE_V1, IMAGE_V2, type Scenario } from '@/lib/console/testing/scenario';
import { TEST_AUDIT } from '@/lib/testing/identity';
import { reportDeployment } from './store';

export const IMAGE_SEARCH = `sha256:${'3'.repeat(64)}`;

export async function seedDeployments(db: RuntimeDb, scenario: Pick<Scenario, 'workspace'>, now = new Date()): Promise<void> {
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  const report = (environment: string, image: string, service: string | null, minutesAgo: number) =>
    reportDeployment(db, scenario.workspace, environment, { image, service }, TEST_AUDIT, ago(minutesAgo));
  await report('staging', `registry.example/checkout@${IMAGE_V1}`, 'checkout', 85);
  await report('staging', `registry.example/payments@${IMAGE_V1}`, 'payments', 9);
  await report('production', `registry.example/checkout@${IMAGE_V1}`, 'checkout', 60);
  await report('production', 'registry.example/legacy:2.3', null, 50);
  await report('production', `registry.example/search@${IMAGE_SEARCH}`, null, 40);
  await report('production', `registry.example/checkout@${IMAGE_V2}`, 'checkout', 15);
}
