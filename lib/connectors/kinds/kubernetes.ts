/**
 * Orchestration: Kubernetes deployments and the images they run, in the configured namespaces
 * only (optionally only the configured deployments). Reads the apps/v1 deployments and the pods
 * behind them, whose status names the image digest actually running.
 */
import { z } from 'zod';
import { parseImageReference } from '@/lib/domain/primitives';
import { ConnectorError } from '../http';
import { anyNumber, anyToken, segment, type AllowedRequest } from '../scope';
import { bearer, commonSettings, dnsLabel, dnsSubdomain, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  namespaces: z.array(dnsLabel).min(1).max(50),
  /** When set, only these deployments (in every configured namespace) are read. */
  deployments: z.array(dnsSubdomain).max(200).optional(),
});
type KubernetesConfig = z.infer<typeof configSchema>;

interface K8sList<T> {
  items: T[];
  metadata?: { continue?: string };
}
interface Deployment {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: Array<{ name: string; image: string }> } } };
  status?: { observedGeneration?: number; replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number };
}
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; containerStatuses?: Array<{ name: string; image: string; imageID?: string; ready?: boolean }> };
}

const DIGEST = /sha256:[a-f0-9]{64}/;
const PAGE = '500';

export const kubernetes: ConnectorKind<KubernetesConfig> = {
  type: 'kubernetes',
  label: 'Kubernetes',
  category: 'orchestration',
  credential: 'required',
  configSchema,
  allowedRequests(config) {
    const list = { limit: anyNumber, continue: anyToken };
    return config.namespaces.flatMap((namespace): AllowedRequest[] => [
      ...(config.deployments
        ? config.deployments.map((name) => ({ method: 'GET' as const, path: `/apis/apps/v1/namespaces/${segment(namespace)}/deployments/${segment(name)}` }))
        : [{ method: 'GET' as const, path: `/apis/apps/v1/namespaces/${segment(namespace)}/deployments`, params: list }]),
      { method: 'GET', path: `/api/v1/namespaces/${segment(namespace)}/pods`, params: list },
    ]);
  },
  targets: (config) => config.namespaces,
  authorize: bearer,
  async read({ http, config }, namespace) {
    const deployments = config.deployments
      ? await Promise.all(
          config.deployments.map(async (name) => {
            try {
              return (await http.getJson<Deployment>(`/apis/apps/v1/namespaces/${segment(namespace)}/deployments/${segment(name)}`)).body;
            } catch (error) {
              if (error instanceof ConnectorError && error.status === 404) return null; // not deployed in this namespace
              throw error;
            }
          }),
        ).then((found) => found.filter((d): d is Deployment => d !== null))
      : await listAll<Deployment>(http, `/apis/apps/v1/namespaces/${segment(namespace)}/deployments`);
    const pods = await listAll<Pod>(http, `/api/v1/namespaces/${segment(namespace)}/pods`);
    return {
      namespace,
      deployments: deployments
        .map((deployment) => {
          const selector = deployment.spec?.selector?.matchLabels ?? {};
          const selected = pods.filter(
            (pod) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v),
          );
          const containers = deployment.spec?.template?.spec?.containers ?? [];
          return {
            name: deployment.metadata.name,
            generation: deployment.metadata.generation ?? null,
            observedGeneration: deployment.status?.observedGeneration ?? null,
            replicas: deployment.spec?.replicas ?? null,
            readyReplicas: deployment.status?.readyReplicas ?? 0,
            updatedReplicas: deployment.status?.updatedReplicas ?? 0,
            availableReplicas: deployment.status?.availableReplicas ?? 0,
            containers: containers.map((container) => ({
              name: container.name,
              image: container.image,
              /** Digests the deployment's running pods report for this container, sorted, unique. */
              runningDigests: [
                ...new Set(
                  selected
                    .flatMap((pod) => pod.status?.containerStatuses ?? [])
                    .filter((status) => status.name === container.name)
                    .map((status) => (status.imageID ?? '').match(DIGEST)?.[0])
                    .filter((digest): digest is string => Boolean(digest)),
                ),
              ].sort(),
            })),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  },
  /** Each digest a deployment's pods run, as `<repository of the pod spec's image>@<digest>`. */
  runningImages(data) {
    const { deployments } = data as { deployments: Array<{ name: string; containers: Array<{ name: string; image: string; runningDigests: string[] }> }> };
    return deployments.flatMap((deployment) =>
      deployment.containers.flatMap((container) =>
        container.runningDigests.map((digest) => ({
          image: `${parseImageReference(container.image)?.repository ?? container.image}@${digest}`,
          workload: `${deployment.name}/${container.name}`,
        })),
      ),
    );
  },
};

async function listAll<T>(http: Parameters<ConnectorKind['read']>[0]['http'], path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  for (let page = 0; page < 20; page++) {
    const { body } = await http.getJson<K8sList<T>>(path, { limit: PAGE, continue: next });
    if (!body || !Array.isArray(body.items)) throw new ConnectorError(`GET ${path} did not answer a Kubernetes list`, 200, false);
    items.push(...body.items);
    next = body.metadata?.continue || undefined;
    if (!next) break;
  }
  return items;
}
