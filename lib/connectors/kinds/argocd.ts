/** GitOps: Argo CD applications, by the names configured only: sync status, health, revision, images. */
import { z } from 'zod';
import { oneOf, segment, type AllowedRequest } from '../scope';
import { bearer, commonSettings, dnsSubdomain, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  applications: z.array(dnsSubdomain).min(1).max(200),
  /** Argo CD "apps in any namespace": the namespace of the applications. */
  appNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/).optional(),
});
type ArgoConfig = z.infer<typeof configSchema>;

interface Application {
  metadata: { name: string };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; finishedAt?: string };
    summary?: { images?: string[] };
    reconciledAt?: string;
  };
}

export const argocd: ConnectorKind<ArgoConfig> = {
  type: 'argocd',
  label: 'Argo CD',
  category: 'gitops',
  credential: 'required',
  configSchema,
  allowedRequests: (config): AllowedRequest[] =>
    config.applications.map((name) => ({
      method: 'GET' as const,
      path: `/api/v1/applications/${segment(name)}`,
      params: config.appNamespace ? { appNamespace: oneOf([config.appNamespace]) } : undefined,
    })),
  targets: (config) => config.applications,
  authorize: bearer,
  async read({ http, config }, name) {
    const { body } = await http.getJson<Application>(`/api/v1/applications/${segment(name)}`, { appNamespace: config.appNamespace });
    const status = body.status ?? {};
    return {
      application: name,
      sync: status.sync?.status ?? 'Unknown',
      health: status.health?.status ?? 'Unknown',
      revision: status.sync?.revision ?? null,
      operationPhase: status.operationState?.phase ?? null,
      images: [...(status.summary?.images ?? [])].sort(),
      reconciledAt: status.reconciledAt ?? null,
    };
  },
  /** The application's images as Argo CD summarizes them: a tag without a digest is unpinned. */
  runningImages: (data) => (data.images as string[]).map((image) => ({ image })),
};
