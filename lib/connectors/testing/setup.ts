/** The common set-up of connector tests: a workspace with production and staging, credentials, a stand-in. */
import { getRuntimeDb } from '@/db/runtime';
import { environments } from '@/db/schema/runtime';
import { writeSecret } from '@/lib/secrets';
import { ADMIN, createWorkspace, randomKeyBase64, setUpSecrets } from '@/lib/secrets/test-support';
import { makeFixture } from './fixture';
import { startStandIn, type StandIn } from './standin';

export async function connectorTestbed(slug: string, token: string, env: Record<string, string> = {}): Promise<{ workspace: { id: string; slug: string }; standIn: StandIn }> {
  await setUpSecrets({ RP_SECRETS_KEY: randomKeyBase64(), ...env });
  const workspace = await createWorkspace(slug);
  const db = await getRuntimeDb();
  await db.insert(environments).values([
    { workspaceId: workspace.id, slug: 'production', name: 'Production', production: true },
    { workspaceId: workspace.id, slug: 'staging', name: 'Staging' },
  ]);
  await writeSecret('store:production/token', token, { workspace, actor: ADMIN });
  await writeSecret('store:shared/token', token, { workspace, actor: ADMIN });
  return { workspace, standIn: await startStandIn(makeFixture(token)) };
}
