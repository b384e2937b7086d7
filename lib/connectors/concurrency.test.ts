/**
 * Two people changing one connector at once: the change made from an older version is refused
 * (409 with the current version), never silently overwriting the other. Real database and row locks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '@/lib/http/problem';
import { configureSecrets } from '@/lib/secrets';
import { ADMIN } from '@/lib/secrets/test-support';
import { createConnector, getConnector, updateConnector, type ConnectorInput } from './store';
import { connectorTestbed } from './testing/setup';
import type { StandIn } from './testing/standin';

let workspace: { id: string; slug: string };
let standIn: StandIn;

beforeAll(async () => {
  ({ workspace, standIn } = await connectorTestbed('connector-occ', 'occ-token'));
});

afterAll(async () => {
  await standIn.close();
  configureSecrets();
});

const input = (query: string): ConnectorInput => ({
  name: 'prometheus-main',
  type: 'prometheus',
  environment: 'production',
  secretRef: 'store:production/token',
  config: { baseUrl: standIn.url, retries: 0, queries: [{ id: 'errors', query }] },
});

describe('changing a connector someone else changed meanwhile', () => {
  it('saves the first of two changes made from one version and refuses the second with 409 and the current version', async () => {
    const created = await createConnector({ workspace, actor: ADMIN }, input('up'));
    expect(created.version).toBe(1);
    const outcomes = await Promise.allSettled([
      updateConnector({ workspace, actor: ADMIN }, created.id, input('rate(errors[5m])'), { expectedVersion: 1 }),
      updateConnector({ workspace, actor: ADMIN }, created.id, input('sum(errors)'), { expectedVersion: 1 }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const problem = lost[0]!.reason as ProblemError;
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem.status).toBe(409);
    expect(problem.extensions).toMatchObject({ currentVersion: 2, expectedVersion: 1 });
    expect(problem.errors).toEqual([{ path: 'version', message: 'Changed meanwhile: the current version is 2.' }]);
    const winner = outcomes[0]!.status === 'fulfilled' ? 'rate(errors[5m])' : 'sum(errors)';
    const now = (await getConnector(workspace.id, created.id))!;
    expect(now.version).toBe(2);
    expect((now.config as { queries: Array<{ query: string }> }).queries[0]!.query).toBe(winner);

    // Later, from the stale version: refused; from the current one: saved as version 3.
    await expect(updateConnector({ workspace, actor: ADMIN }, created.id, input('up'), { expectedVersion: 1 })).rejects.toThrow(/you started from version 1, it is now at version 2/);
    expect((await updateConnector({ workspace, actor: ADMIN }, created.id, input('up'), { expectedVersion: 2 })).version).toBe(3);
  });
});
