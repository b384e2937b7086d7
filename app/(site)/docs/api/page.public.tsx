import type { Metadata } from 'next';
import { publicOpenApiDocument } from '@/lib/api/public-document';
import { ApiReference } from '@/app/(site)/_components/api-reference';
import { DocsFrame } from '@/app/(site)/_components/docs-frame';
import { docsSidebar } from '@/lib/site/docs';
import '../../site.css';

// Still an App Router page (with React), unlike the other docs pages: the document is built from the
// API's route registry, whose modules are server-only, and the Pages Router refuses those.

export const metadata: Metadata = { title: 'API reference', description: 'The Release Passport runtime API, generated from the same schemas the server validates with.' };

export default function ApiReferencePage() {
  const document = publicOpenApiDocument();
  const headings = [...new Set(Object.values(document.paths ?? {}).flatMap((item) => Object.values(item ?? {}).flatMap((operation) => (operation as { tags?: string[] }).tags ?? [])))]
    .sort()
    .map((tag) => ({ id: `tag-${tag}`, text: tag }));
  return (
    <DocsFrame current="/docs/api" sidebar={docsSidebar()} headings={headings}>
      <ApiReference document={document} />
    </DocsFrame>
  );
}
