import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import { docHref, docsSidebar, findDoc, neighbours, renderDoc, type DocLink } from '@/lib/site/docs';
import { DocsFrame, type DocsSidebar } from '@/app/(site)/_components/docs-frame';
import { DocsNotFound } from '@/app/(site)/_components/docs-not-found';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

type Props = Found | { missing: string; sidebar: DocsSidebar };

interface Found {
  missing?: undefined;
  title: string;
  description: string;
  current: string;
  html: string;
  headings: Array<{ id: string; text: string }>;
  sidebar: DocsSidebar;
  previous: DocLink | null;
  next: DocLink | null;
}

export const getServerSideProps: GetServerSideProps<Props, { slug?: string[] }> = async ({ params, res }) => {
  const slug = (params?.slug ?? []).join('/');
  const page = findDoc(slug);
  if (!page) {
    // A 404 that keeps the docs' navigation (DocsNotFound).
    res.statusCode = 404;
    return { props: { missing: `/docs/${slug}`, sidebar: docsSidebar() } };
  }
  const { html, headings } = renderDoc(page);
  return {
    props: { title: page.slug ? page.title : 'Documentation', description: page.description, current: docHref(page), html, headings, sidebar: docsSidebar(), ...neighbours(page.slug) },
  };
};

export default function DocPage(props: Props) {
  if (props.missing !== undefined) {
    return (
      <DocsNotFound description="This documentation page does not exist." current="" sidebar={props.sidebar}>
        There is no documentation page at <code>{props.missing}</code>. It may have moved: the pages are listed in the navigation, and the{' '}
        <Link href="/docs">documentation overview</Link> says where to start.
      </DocsNotFound>
    );
  }
  const { title, description, ...frame } = props;
  return (
    <SitePage title={title} description={description}>
      <DocsFrame {...frame} />
    </SitePage>
  );
}
