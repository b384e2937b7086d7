/**
 * Every Kustomize overlay renders (with kubectl kustomize) to manifests that keep the runtime's
 * invariants (issue 8): several web replicas, a worker, a migration Job, Service, TLS Ingress,
 * HPA, PDB, default-deny NetworkPolicy with web ingress only from the ingress controller and
 * egress only to named addresses, non-root read-only containers with resources and probes, and
 * secrets referenced from existing Secrets, never inlined. Nothing of the public target is there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { installationSecrets } from '@/lib/secrets/registry';

const overlaysDir = path.join(import.meta.dirname, 'overlays');
const overlays = fs.readdirSync(overlaysDir).filter((name) => fs.existsSync(path.join(overlaysDir, name, 'kustomization.yaml')));

// The manifests are plain YAML documents of many shapes; the assertions below check the shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };

function render(overlay: string): Manifest[] {
  const output = execFileSync('kubectl', ['kustomize', path.join(overlaysDir, overlay)], { encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => document.toJS() as Manifest);
}

function one(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

const SECRET_NAMES = /(URL|SECRET|KEY|TOKEN|PASSWORD)$/;

describe.each(overlays)('the %s overlay', (overlay) => {
  const manifests = render(overlay);
  const web = one(manifests, 'Deployment', 'release-passport-web');
  const worker = one(manifests, 'Deployment', 'release-passport-worker');
  const migrate = one(manifests, 'Job', 'release-passport-migrate');
  const podSpecs = [web.spec.template.spec, worker.spec.template.spec, migrate.spec.template.spec];
  const containers = podSpecs.flatMap((spec) => spec.containers);

  it('has every part of a runtime installation, in one namespace', () => {
    expect(web.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(1);
    expect(worker.spec.template.spec.containers[0].command).toEqual(['node', 'rp.mjs', 'worker']);
    expect(migrate.spec.template.spec.containers[0].command).toEqual(['node', 'rp.mjs', 'migrate']);
    const service = one(manifests, 'Service', 'release-passport-web');
    expect(service.spec.selector).toEqual(web.spec.template.metadata.labels);
    const hpa = one(manifests, 'HorizontalPodAutoscaler', 'release-passport-web');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'release-passport-web' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = one(manifests, 'PodDisruptionBudget', 'release-passport-web');
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(web.spec.replicas);
    const namespaces = new Set(manifests.map((manifest) => manifest.metadata.namespace));
    expect(namespaces.size).toBe(1);
    expect([...namespaces][0]).toMatch(/^release-passport/);
  });

  it('serves only over TLS through the ingress, which strips x-middleware-* headers and rejects development-only paths', () => {
    const ingress = one(manifests, 'Ingress', 'release-passport');
    expect(ingress.spec.tls[0].secretName).toBeTruthy();
    expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
    const annotations = ingress.metadata.annotations ?? {};
    expect(annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
    expect(annotations['nginx.ingress.kubernetes.io/configuration-snippet']).toContain('x-middleware-subrequest ""');
    // Development-only paths never answer in production (seed 003).
    expect(annotations['nginx.ingress.kubernetes.io/configuration-snippet']).toMatch(/\^\/api\/\(v1\/local\|bench\).*return 404/);
  });

  it('runs every container as non-root on a read-only root filesystem with resources', () => {
    for (const spec of podSpecs) {
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.automountServiceAccountToken).toBe(false);
    }
    for (const container of containers) {
      expect(container.securityContext, container.name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.requests.cpu, container.name).toBeTruthy();
      expect(container.resources.requests.memory, container.name).toBeTruthy();
      expect(container.resources.limits.memory, container.name).toBeTruthy();
    }
  });

  it('probes the web pods on /api/health (liveness) and /api/ready (readiness)', () => {
    const container = web.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe('/api/health');
    expect(container.readinessProbe.httpGet.path).toBe('/api/ready');
    expect(container.startupProbe.httpGet.path).toBe('/api/health');
  });

  it('references secrets from existing Secrets and never inlines one', () => {
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    for (const container of containers) {
      for (const variable of container.env ?? []) {
        if (SECRET_NAMES.test(variable.name)) {
          expect(variable.value, `${container.name} ${variable.name}`).toBeUndefined();
          expect(variable.valueFrom?.secretKeyRef?.name, `${container.name} ${variable.name}`).toBeTruthy();
        }
      }
    }
    // Every secret the manifests pass is one the runtime reads, under the name it reads it by.
    const known = new Set([...installationSecrets().filter((secret) => secret.targets.includes('runtime')).map((secret) => secret.variable), 'RP_SECRETS_KEY']);
    const passed = containers.flatMap((container) => (container.env ?? []).filter((variable: { valueFrom?: unknown }) => variable.valueFrom).map((variable: { name: string }) => variable.name));
    expect(passed.filter((name: string) => !known.has(name))).toEqual([]);
    const config = one(manifests, 'ConfigMap', 'release-passport-config') as Manifest & { data: Record<string, string> };
    // RP_PUBLIC_URL is an address people type, not a credential.
    expect(Object.keys(config.data).filter((key) => SECRET_NAMES.test(key) && key !== 'RP_PUBLIC_URL')).toEqual([]);
  });

  it('tells the server the address it is reached at: RP_PUBLIC_URL is the ingress host, over https', () => {
    const config = one(manifests, 'ConfigMap', 'release-passport-config') as Manifest & { data: Record<string, string> };
    const ingress = one(manifests, 'Ingress', 'release-passport');
    expect(config.data.RP_BIND).toBe('0.0.0.0');
    expect(config.data.RP_PUBLIC_URL).toBe(`https://${ingress.spec.rules[0].host}`);
  });

  it('denies by default, admits web traffic only from the ingress controller, and names every egress', () => {
    const policies = manifests.filter((manifest) => manifest.kind === 'NetworkPolicy');
    const defaultDeny = policies.find((policy) => policy.metadata.name === 'release-passport-default-deny')!;
    expect(defaultDeny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(defaultDeny.spec.ingress).toBeUndefined();
    expect(defaultDeny.spec.egress).toBeUndefined();
    const ingressRules = policies.flatMap((policy) => policy.spec.ingress ?? []);
    expect(ingressRules).toHaveLength(1);
    expect(ingressRules[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('ingress-nginx');
    for (const rule of policies.flatMap((policy) => policy.spec.egress ?? [])) {
      expect(rule.to?.length, 'an egress rule names its destinations').toBeGreaterThan(0);
      expect(rule.ports?.length, 'an egress rule names its ports').toBeGreaterThan(0);
      for (const destination of rule.to) {
        if (destination.ipBlock) expect(destination.ipBlock.cidr).not.toBe('0.0.0.0/0');
      }
    }
    const ports = policies.flatMap((policy) => (policy.spec.egress ?? []).flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port)));
    expect(new Set(ports)).toEqual(new Set([53, 5432, 6379, 443]));
  });

  it('contains nothing of the public target (owner separation)', () => {
    const text = JSON.stringify(manifests);
    for (const forbidden of ['STRIPE', 'stripe', '/portal', 'release-passport/public', 'RP_TARGET":"public', 'LICENSE_SIGNING']) {
      expect(text, forbidden).not.toContain(forbidden);
    }
    expect(containers.every((container: { image: string }) => container.image.endsWith('/runtime:' + container.image.split(':').pop()))).toBe(true);
  });
});
