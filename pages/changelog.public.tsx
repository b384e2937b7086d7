import type { GetServerSideProps } from 'next';
import { renderContentFile } from '@/lib/site/docs';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

interface Props {
  html: string;
}

export const getServerSideProps: GetServerSideProps<Props> = async () => ({ props: { html: renderContentFile('changelog.md').html } });

export default function Changelog({ html }: Props) {
  return (
    <SitePage title="Changelog" description="What changed in each Release Passport release.">
      <main id="main" className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
        <article className="prose-doc" dangerouslySetInnerHTML={{ __html: html }} />
      </main>
    </SitePage>
  );
}
