import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { PageIntro } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

// Rendered per request like every page here: the inline site script carries the request's CSP nonce.
export const getServerSideProps: GetServerSideProps = async () => ({ props: {} });

const PILLARS = [
  { title: 'Artifact verification', text: 'Customer packages are distributed through the official channel with checksums and signed release identity so teams can verify what was installed.', href: '/download', link: 'Verify a download' },
  { title: 'SBOM and provenance', text: 'Release records tie source SHA, image digest, chart version, checksum result, SBOM/SARIF evidence, and rendered manifest context to the passport.', href: '/docs/policies', link: 'Evidence rules' },
  { title: 'Runtime boundary', text: 'Customer runtime includes console, settings, API, worker, CLI gate path, scoped connectors, and runtime checks only.', href: '/docs/security#owner-separation', link: 'How it is proven' },
  { title: 'RBAC and scoped reads', text: 'Connectors read only configured namespaces, projects, apps, queries, services, and release scopes.', href: '/docs/connectors', link: 'Connectors' },
  { title: 'Audit log', text: 'Gate decisions, policy reasons, evidence freshness, actor context, comments, and exports remain inspectable for release review.', href: '/docs/security#audit-log', link: 'Audit log' },
  { title: 'Data retention', text: 'Passports, evidence, and reports follow customer-owned retention policy instead of broad indefinite collection.', href: '/docs/operations/retention', link: 'Retention' },
];

const BOUNDARY = [
  { title: 'Installed in customer runtime', items: ['Console', 'Settings', 'API', 'Worker', 'CLI gate', 'Scoped connectors', 'Runtime checks', 'Reports', 'RBAC', 'Audit log', 'Retention controls'] },
  { title: 'Not installed in customer runtime', items: ['Owner checkout', 'Payment provider integration', 'Billing mutation', 'License issuance', 'Package entitlement administration', 'Arconath commercial secrets'] },
  { title: 'Customer-owned dependencies', items: ['Domain', 'OIDC or proxy auth', 'Namespace', 'Registry credentials', 'Postgres', 'Redis/Valkey', 'S3-compatible storage', 'Secret manager'] },
  { title: 'Arconath-owned lane', items: ['Public website', 'Pricing', 'Docs', 'Commercial checkout', 'Owner entitlement flow', 'Official package distribution', 'Dogfood release evidence'] },
];

const INCLUDE = ['Workspace ID', 'Service name', 'Environment', 'Release ID', 'Passport ID', 'CLI version', 'Connector type', 'Sanitized request IDs'];
const NEVER = ['Tokens', 'Kubeconfigs', 'Private keys', 'OIDC secrets', 'Payment provider keys', 'Registry credentials', 'Raw private evidence'];

export default function Trust() {
  return (
    <SitePage title="Trust" description="A signed release passport without owner code in your runtime: artifact verification, SBOM and provenance, the runtime boundary, audit and retention.">
      <main id="main" className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
        <PageIntro eyebrow="Trust and security" title="A signed release passport without owner code in your runtime.">
          Release Passport is self-hosted release-readiness software. The customer runtime evaluates release evidence and stores
          the passport; Arconath&apos;s commercial checkout, owner license issuance, and package entitlement administration stay
          outside that runtime.
        </PageIntro>

        <div className="mt-12 grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
          {PILLARS.map((pillar) => (
            <section key={pillar.title} className="flex flex-col rounded-xl border border-slate-200 p-6 dark:border-slate-800">
              <h2 className="font-semibold text-slate-900 dark:text-white">{pillar.title}</h2>
              <p className="mt-2 flex-1 text-sm leading-6 text-slate-600 dark:text-slate-300">{pillar.text}</p>
              <Link href={pillar.href} className="mt-4 text-sm font-medium text-brand-700 underline underline-offset-2 dark:text-brand-100">
                {pillar.link}
              </Link>
            </section>
          ))}
        </div>

        <section className="mt-20" aria-labelledby="boundary">
          <h2 id="boundary" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Runtime boundary.</h2>
          <p className="mt-2 max-w-3xl text-slate-600 dark:text-slate-300">
            The customer package is built for release evidence, policy, and decision review. It is not a merchant, owner admin, or
            package entitlement service.
          </p>
          <div className="mt-8 grid gap-6 md:grid-cols-2">
            {BOUNDARY.map((group) => (
              <section key={group.title} className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
                <h3 className="font-semibold text-slate-900 dark:text-white">{group.title}</h3>
                <ul className="mt-3 flex flex-wrap gap-2 text-sm">
                  {group.items.map((item) => (
                    <li key={item} className="rounded-md bg-slate-100 px-2.5 py-1 text-slate-800 dark:bg-slate-800 dark:text-slate-200">{item}</li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        </section>

        <section className="mt-20" aria-labelledby="checklist">
          <h2 id="checklist" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Install trust checklist.</h2>
          <p className="mt-2 max-w-3xl text-slate-600 dark:text-slate-300">
            Evidence is useful without secret values. Support and sales requests should include the identifiers on the left and
            never the secrets on the right.
          </p>
          <div className="mt-8 grid gap-6 md:grid-cols-2">
            <section className="rounded-xl border border-emerald-300 p-6 dark:border-emerald-800">
              <h3 className="font-semibold text-slate-900 dark:text-white">Include</h3>
              <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">{INCLUDE.map((item) => <li key={item}>{item}</li>)}</ul>
            </section>
            <section className="rounded-xl border border-red-300 p-6 dark:border-red-900">
              <h3 className="font-semibold text-slate-900 dark:text-white">Do not include</h3>
              <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-300">{NEVER.map((item) => <li key={item}>{item}</li>)}</ul>
            </section>
          </div>
        </section>
      </main>
    </SitePage>
  );
}
