import type { GetServerSideProps } from 'next';
import { ButtonLink } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';
import { landingSample } from '@/lib/site/landing-sample';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

interface Props {
  sample: string;
}

export const getServerSideProps: GetServerSideProps<Props> = async () => ({ props: { sample: landingSample() } });

const STEPS = [
  { title: 'CI sends the evidence', text: 'SBOM, SARIF, checksums, provenance, rendered manifests and test reports, content-addressed and stripped of secret values.' },
  { title: 'The gate judges it', text: 'Your policy: required evidence and its age, severity limits, digest matches, connector readings, freezes and approvals.' },
  { title: 'A passport records the answer', text: 'Allow, warn or deny with a reason per rule, signed with your workspace key. Verify it offline, years later.' },
];

const FEATURES = [
  { title: 'Shadow, advisory, enforce', text: 'New pipelines start in shadow mode and never block. Move to advisory, then enforce, when the policy says what you mean.' },
  { title: 'Deterministic decisions', text: 'Same inputs, same evaluation time: same decision and the same passport bytes. Replays prove what was judged.' },
  { title: 'Scoped connectors', text: 'Readings from Kubernetes, metrics, CI, GitOps and incident tools, limited to the namespaces, queries and apps you name.' },
  { title: 'Audit you can hand over', text: 'Decisions, reasons, freshness, actors, comments and exports in a hash-chained, append-only log.' },
  { title: 'Secrets by reference', text: 'Credentials stay in your environment, files or secret manager. Settings show whether a secret is set, never its value.' },
  { title: 'Yours to run', text: 'One Node.js server and Postgres, or Kubernetes manifests. No calls home: licenses verify offline.' },
];

export default function Landing({ sample }: Props) {
  return (
    <SitePage
      title={{ absolute: 'Release Passport: a signed passport for every release' }}
      description="Self-hosted release readiness: your CI asks the gate, the gate judges the evidence against your policy, and the answer is a signed passport anyone can verify offline."
    >
      <main id="main">
        <section className="border-b border-slate-200 bg-gradient-to-b from-brand-50 to-white dark:border-slate-800 dark:from-slate-900 dark:to-slate-950">
          <div className="mx-auto max-w-6xl px-4 py-20 sm:px-6 sm:py-28">
            <p className="text-sm font-semibold uppercase tracking-wide text-brand-600 dark:text-brand-100">Self-hosted release readiness</p>
            <h1 className="mt-3 max-w-3xl text-4xl font-semibold tracking-tight text-slate-900 sm:text-6xl dark:text-white">
              Every release, with a signed passport.
            </h1>
            <p className="mt-6 max-w-2xl text-lg leading-8 text-slate-600 dark:text-slate-300">
              Your CI asks the gate whether a release of a service may go to an environment. The gate judges the release&apos;s
              evidence against your policy and records the answer as a passport: signed, content-addressed, verifiable offline by
              anyone holding your public key.
            </p>
            <div className="mt-10 flex flex-wrap gap-3">
              <ButtonLink href="/docs/quick-start">Start in shadow mode</ButtonLink>
              <ButtonLink href="/pricing" variant="secondary">
                See pricing
              </ButtonLink>
            </div>
            <pre className="mt-12 max-w-2xl overflow-x-auto rounded-xl bg-slate-900 p-5 font-mono text-[13px] leading-6 text-slate-100 ring-1 ring-slate-800" aria-label="Example CI step" tabIndex={0}>
              <code>{sample}</code>
            </pre>
          </div>
        </section>

        <section className="mx-auto max-w-6xl px-4 py-20 sm:px-6" aria-labelledby="how">
          <h2 id="how" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">How it works</h2>
          <ol className="mt-8 grid gap-6 md:grid-cols-3">
            {STEPS.map((step, index) => (
              <li key={step.title} className="rounded-xl border border-slate-200 p-6 dark:border-slate-800">
                <span className="flex h-8 w-8 items-center justify-center rounded-full bg-brand-600 text-sm font-semibold text-white">{index + 1}</span>
                <h3 className="mt-4 font-semibold text-slate-900 dark:text-white">{step.title}</h3>
                <p className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-300">{step.text}</p>
              </li>
            ))}
          </ol>
        </section>

        <section className="border-y border-slate-200 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/40" aria-labelledby="features">
          <div className="mx-auto max-w-6xl px-4 py-20 sm:px-6">
            <h2 id="features" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Built for the people who sign off releases</h2>
            <div className="mt-8 grid gap-x-8 gap-y-10 sm:grid-cols-2 lg:grid-cols-3">
              {FEATURES.map((feature) => (
                <div key={feature.title}>
                  <h3 className="font-semibold text-slate-900 dark:text-white">{feature.title}</h3>
                  <p className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-300">{feature.text}</p>
                </div>
              ))}
            </div>
          </div>
        </section>

        <section className="mx-auto max-w-6xl px-4 py-20 sm:px-6" aria-labelledby="boundary">
          <div className="grid gap-10 lg:grid-cols-2">
            <div>
              <h2 id="boundary" className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-white">Your runtime holds no vendor code</h2>
              <p className="mt-4 leading-7 text-slate-600 dark:text-slate-300">
                Checkout, license issuance and package entitlement stay on this site. The package you install is the console,
                the API, the worker and the CLI, and a build-output test proves it ships without billing code or vendor keys.
              </p>
              <div className="mt-6 flex flex-wrap gap-3">
                <ButtonLink href="/security" variant="secondary">
                  Security controls
                </ButtonLink>
                <ButtonLink href="/trust" variant="secondary">
                  Trust and boundaries
                </ButtonLink>
              </div>
            </div>
            <dl className="grid grid-cols-2 gap-4 text-sm">
              {[
                ['Signatures', 'Ed25519, DSSE envelopes'],
                ['Canonical JSON', 'RFC 8785'],
                ['Secrets at rest', 'AES-256-GCM'],
                ['Audit log', 'hash-chained, append-only'],
              ].map(([term, value]) => (
                <div key={term} className="rounded-xl border border-slate-200 p-5 dark:border-slate-800">
                  <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
                  <dd className="mt-1 font-semibold text-slate-900 dark:text-white">{value}</dd>
                </div>
              ))}
            </dl>
          </div>
        </section>
      </main>
    </SitePage>
  );
}
