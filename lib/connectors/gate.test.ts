import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { evaluateGateRequest } from '@/lib/gate/service';
import { replayPassport } from '@/lib/passport/store';
import { savePolicy } from '@/lib/policy/store';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { createConnector } from './store';
import { connectorTestbed } from './testing/setup';
import { RELEASED_DIGEST, SHA } from './testing/fixture';
import type { StandIn } from './testing/standin';

const TOKEN = 'gate-token-9d1e';
let standIn: StandIn;
let workspace: { id: string; slug: string };

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('gate-connectors', TOKEN));
  const base = { environment: 'production', secretRef: 'store:production/token' };
  await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'k8s', type: 'kubernetes', config: { baseUrl: standIn.url, namespaces: ['production'] } });
  await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'argo', type: 'argocd', config: { baseUrl: standIn.url, applications: ['api', 'billing'] } });
  await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'pd', type: 'pagerduty', config: { baseUrl: standIn.url, services: ['PAPI001'] } });
  await createConnector({ workspace, actor: ADMIN }, { ...base, name: 'gh', type: 'github-actions', config: { baseUrl: standIn.url, repositories: ['acme/api'] } });
  await savePolicy(await getRuntimeDb(), workspace.id, { serviceId: null, environmentId: null }, {
    name: 'Release checks',
    document: {
      mode: 'enforce',
      rules: [
        { id: 'image', type: 'running-image-matches', connector: 'k8s', namespace: 'production', deployment: 'api' },
        { id: 'synced', type: 'gitops-synced-healthy', connector: 'argo', application: 'api' },
        { id: 'ci', type: 'ci-green', connector: 'gh', repository: 'acme/api' },
        { id: 'incidents', type: 'no-open-incident', connector: 'pd', services: ['PAPI001'], onFail: 'warn' },
      ],
    },
  });
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

describe('gate evaluations with connector rules', () => {
  it('reads exactly what the policy names, judges it, and signs the readings into the passport', async () => {
    const db = await getRuntimeDb();
    const before = standIn.requests.length;
    const outcome = await evaluateGateRequest(
      db,
      workspace,
      { service: 'api', environment: 'production', sourceSha: SHA, imageDigest: RELEASED_DIGEST, evidence: [], artifacts: [] },
      { actorLabel: 'token ci' },
    );
    const paths = standIn.requests.slice(before).map((r) => r.path).sort();
    // Argo is configured for "billing" too, but no rule asks for it: it is not read.
    expect(paths).toEqual([
      '/api/v1/applications/api',
      '/api/v1/namespaces/production/pods',
      '/apis/apps/v1/namespaces/production/deployments',
      '/incidents',
      '/repos/acme/api/actions/runs',
    ]);
    expect(outcome.reasons.map((r) => [r.ruleId, r.status])).toEqual([
      ['image', 'pass'],
      ['synced', 'pass'],
      ['ci', 'pass'],
      ['incidents', 'warn'],
    ]);
    expect(outcome.decision).toBe('warn');
    const image = outcome.reasons[0]!;
    expect(image.measured).toEqual([RELEASED_DIGEST]);
    expect(image.evidence).toHaveLength(1);

    // A replay judges the snapshotted readings: the same decision, without asking any server again.
    const replayBefore = standIn.requests.length;
    const replay = await replayPassport(db, workspace.id, outcome.passport.id);
    expect(standIn.requests.length).toBe(replayBefore);
    expect(replay).toMatchObject({ match: true, differences: [] });
  });

  it('judges a running image that is not the released digest as a failure that denies', async () => {
    const db = await getRuntimeDb();
    const outcome = await evaluateGateRequest(
      db,
      workspace,
      { service: 'api', environment: 'production', sourceSha: SHA, imageDigest: `sha256:${'9'.repeat(64)}`, evidence: [], artifacts: [] },
      { actorLabel: 'token ci' },
    );
    expect(outcome.reasons.find((r) => r.ruleId === 'image')).toMatchObject({ status: 'fail', effect: 'deny' });
    expect(outcome.decision).toBe('deny');
  });
});
