/**
 * Connectors on the environment board: a poll of a Kubernetes or Argo CD connector serving an
 * environment records the images running there, against the local stand-in servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { pollConnector } from '@/lib/connectors/poll';
import { createConnector, deleteConnector, listConnectors, updateConnector } from '@/lib/connectors/store';
import { OLD_DIGEST, RELEASED_DIGEST } from '@/lib/connectors/testing/fixture';
import { connectorTestbed } from '@/lib/connectors/testing/setup';
import type { StandIn } from '@/lib/connectors/testing/standin';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { environmentOf, environmentTimeline, listRunning } from './store';

const TOKEN = 'board-token-41c2';
const NEW_DIGEST = `sha256:${'9'.repeat(64)}`;
let standIn: StandIn;
let workspace: { id: string; slug: string };

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('board-connectors', TOKEN));
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

async function running(environment: string) {
  const db = await getRuntimeDb();
  const env = await environmentOf(db, workspace.id, environment);
  return (await listRunning(db, workspace.id, { environmentIds: [env.id] })).map((view) => [view.source, view.location, view.workload, view.image, view.match.status]);
}

describe('connectors on the environment board', () => {
  it('records the digests Kubernetes pods run and the images Argo CD lists, for the connector’s environment', async () => {
    const base = { environment: 'production', secretRef: 'store:production/token' };
    const k8s = await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'k8s', type: 'kubernetes', config: { baseUrl: standIn.url, namespaces: ['production'], retries: 0 } });
    const argo = await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'argo', type: 'argocd', config: { baseUrl: standIn.url, applications: ['api', 'billing'], retries: 0 } });
    expect(await pollConnector(workspace.id, k8s.id, ADMIN)).toMatchObject({ read: 1, failed: 0 });
    expect(await pollConnector(workspace.id, argo.id, ADMIN)).toMatchObject({ read: 2, failed: 0 });
    expect(await running('production')).toEqual([
      // Argo CD summarizes a tag: unpinned, never matched.
      ['argo', 'api', null, 'registry.example/api:1.4.0', 'unpinned'],
      ['k8s', 'production', 'api/app', `registry.example/api@${RELEASED_DIGEST}`, 'unpassported'],
      ['k8s', 'production', 'web/app', `registry.example/web@${OLD_DIGEST}`, 'unpassported'],
    ]);
  });

  it('keeps what is still seen, replaces what changed and closes what went', async () => {
    const db = await getRuntimeDb();
    const k8s = (await listConnectors(workspace.id)).find((connector) => connector.name === 'k8s')!;
    const production = standIn.fixture.kubernetes.production!;
    const pods = production.pods as Array<{ metadata: { labels: Record<string, string> }; status: { containerStatuses: Array<{ imageID: string }> } }>;
    // web rolls out a new digest; then api is scaled away entirely.
    pods.find((pod) => pod.metadata.labels.app === 'web')!.status.containerStatuses[0]!.imageID = `docker-pullable://registry.example/web@${NEW_DIGEST}`;
    await pollConnector(workspace.id, k8s.id, ADMIN);
    production.deployments = production.deployments.filter((deployment) => (deployment as { metadata: { name: string } }).metadata.name !== 'api');
    await pollConnector(workspace.id, k8s.id, ADMIN);

    expect((await running('production')).filter(([source]) => source === 'k8s')).toEqual([['k8s', 'production', 'web/app', `registry.example/web@${NEW_DIGEST}`, 'unpassported']]);
    const env = await environmentOf(db, workspace.id, 'production');
    const timeline = (await environmentTimeline(db, workspace.id, env)).filter((event) => event.deployment.source === 'k8s');
    expect(timeline.map((event) => [event.kind, event.deployment.workload, event.deployment.digest])).toEqual([
      ['gone', 'api/app', RELEASED_DIGEST],
      ['replaced', 'web/app', NEW_DIGEST],
      ['deployed', 'api/app', RELEASED_DIGEST],
      ['deployed', 'web/app', OLD_DIGEST],
    ]);
  });

  it('closes what a connector no longer watches: a target taken out, an environment it no longer serves', async () => {
    const argo = (await listConnectors(workspace.id)).find((connector) => connector.name === 'argo')!;
    const config = { baseUrl: standIn.url, retries: 0 };
    await updateConnector({ workspace, actor: ADMIN }, argo.id, { name: 'argo', type: 'argocd', environment: 'production', secretRef: 'store:production/token', config: { ...config, applications: ['billing'] } });
    await pollConnector(workspace.id, argo.id, ADMIN);
    expect((await running('production')).filter(([source]) => source === 'argo')).toEqual([]);

    const k8s = (await listConnectors(workspace.id)).find((connector) => connector.name === 'k8s')!;
    await updateConnector({ workspace, actor: ADMIN }, k8s.id, { name: 'k8s', type: 'kubernetes', environment: 'staging', secretRef: 'store:shared/token', config: { ...config, namespaces: ['production'] } });
    await pollConnector(workspace.id, k8s.id, ADMIN);
    expect((await running('production')).filter(([source]) => source === 'k8s')).toEqual([]);
    expect(await running('staging')).toEqual([['k8s', 'production', 'web/app', `registry.example/web@${NEW_DIGEST}`, 'unpassported']]);
    // Back to production for the next case.
    await updateConnector({ workspace, actor: ADMIN }, k8s.id, { name: 'k8s', type: 'kubernetes', environment: 'production', secretRef: 'store:production/token', config: { ...config, namespaces: ['production'] } });
    await pollConnector(workspace.id, k8s.id, ADMIN);
    expect(await running('staging')).toEqual([]);
  });

  it('follows the connector: a rename carries what it saw over, deleting it closes what it saw', async () => {
    const k8s = (await listConnectors(workspace.id)).find((connector) => connector.name === 'k8s')!;
    const before = await running('production');
    const input = { type: 'kubernetes' as const, environment: 'production', secretRef: 'store:production/token', config: { baseUrl: standIn.url, retries: 0, namespaces: ['production'] } };
    await updateConnector({ workspace, actor: ADMIN }, k8s.id, { ...input, name: 'k8s-prod' });
    expect(await running('production')).toEqual(before.map(([, ...rest]) => ['k8s-prod', ...rest]));
    await pollConnector(workspace.id, k8s.id, ADMIN);
    const db = await getRuntimeDb();
    const env = await environmentOf(db, workspace.id, 'production');
    // Still the same stint: no "deployed" again for the rename.
    expect((await environmentTimeline(db, workspace.id, env)).filter((event) => event.deployment.source === 'k8s-prod' && event.kind !== 'gone')).toHaveLength(1);
    await deleteConnector({ workspace, actor: ADMIN }, k8s.id);
    expect(await running('production')).toEqual([]);
  });

  it('records nothing for a connector that serves no environment', async () => {
    const shared = await createConnector(
      { workspace, actor: ADMIN },
      { name: 'k8s-shared', type: 'kubernetes', environment: null, secretRef: 'store:shared/token', config: { baseUrl: standIn.url, namespaces: ['production'], retries: 0 } },
    );
    expect(await pollConnector(workspace.id, shared.id, ADMIN)).toMatchObject({ read: 1, failed: 0 });
    expect((await running('production')).filter(([source]) => source === 'k8s-shared')).toEqual([]);
    expect((await running('staging')).filter(([source]) => source === 'k8s-shared')).toEqual([]);
  });
});
