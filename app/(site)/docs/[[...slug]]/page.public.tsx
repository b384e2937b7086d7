import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { findDoc, neighbours, renderDoc } from '@/lib/site/docs';
import { DocsFrame } from '@/app/(site)/_components/docs-frame';

interface Props {
  params: Promise<{ slug?: string[] }>;
}

async function pageOf(props: Props) {
  const { slug = [] } = await props.params;
  return findDoc(slug.join('/'));
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const page = await pageOf(props);
  return page ? { title: page.slug ? page.title : 'Documentation', description: page.description } : {};
}

export default async function DocPage(props: Props) {
  const page = await pageOf(props);
  if (!page) notFound();
  const { html, headings } = renderDoc(page);
  const { previous, next } = neighbours(page.slug);
  return <DocsFrame current={page.slug ? `/docs/${page.slug}` : '/docs'} html={html} headings={headings} previous={previous} next={next} />;
}
