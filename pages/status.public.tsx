import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { pageServices, type ComponentState, type ComponentStatus } from '@/lib/portal/page-services';
import { Badge, PageIntro } from '@/app/(site)/_components/ui';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

interface Props {
  checkedAt: string;
  components: ComponentStatus[];
}

// Checked live on the server (cached for 30 s by lib/portal/site-status.ts).
export const getServerSideProps: GetServerSideProps<Props> = async () => {
  const { checkedAt, components } = await pageServices().siteStatus();
  return { props: { checkedAt: checkedAt.toISOString(), components } };
};

const TONE: Record<ComponentState, 'good' | 'warn' | 'bad'> = { operational: 'good', degraded: 'warn', unavailable: 'bad' };
const LABEL: Record<ComponentState, string> = { operational: 'Operational', degraded: 'Degraded', unavailable: 'Unavailable' };

export default function Status({ checkedAt, components }: Props) {
  const worst = components.some((component) => component.state === 'unavailable') ? 'unavailable' : components.some((component) => component.state === 'degraded') ? 'degraded' : 'operational';
  return (
    <SitePage title="Status" description="The live status of the Release Passport site, portal, checkout, license issuance and downloads.">
      <main id="main" className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <PageIntro eyebrow="Status" title={worst === 'operational' ? 'All systems operational' : 'Some services are affected'}>
          Checked {checkedAt.replace('T', ' ').slice(0, 19)} UTC.
        </PageIntro>
        <ul className="mt-10 divide-y divide-slate-200 rounded-xl border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
          {components.map((component) => (
            <li key={component.name} className="flex items-start justify-between gap-4 p-5">
              <div>
                <h2 className="font-medium text-slate-900 dark:text-white">{component.name}</h2>
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{component.detail}</p>
              </div>
              <Badge tone={TONE[component.state]}>{LABEL[component.state]}</Badge>
            </li>
          ))}
        </ul>
        <p className="mt-8 text-sm text-slate-600 dark:text-slate-400">
          Your Release Passport runtime runs in your infrastructure and does not depend on this site: licenses verify offline.
          Its own health is at <code className="font-mono">/api/health</code> and <code className="font-mono">/api/ready</code> on your
          domain (see <Link href="/docs/install" className="font-medium text-brand-700 underline dark:text-brand-100">Install</Link>).
        </p>
      </main>
    </SitePage>
  );
}
