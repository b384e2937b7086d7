import type { GetServerSideProps } from 'next';
import type { OpenApiDocument } from '@/lib/api/openapi';
import { readPublicDocumentFile } from '@/lib/api/public-document-file';
import { docsSidebar } from '@/lib/site/docs';
import { ApiOverview, apiTags } from '@/app/(site)/_components/api-reference';
import { DocsFrame, type DocsSidebar } from '@/app/(site)/_components/docs-frame';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

interface Props {
  document: OpenApiDocument;
  headings: Array<{ id: string; text: string }>;
  sidebar: DocsSidebar;
}

// The generated document from content/openapi.json: the registry it comes from is server-only.
export const getServerSideProps: GetServerSideProps<Props> = async () => {
  const document = readPublicDocumentFile();
  const headings = apiTags(document).map(({ tag, slug }) => ({ id: `tag-${slug}`, text: tag }));
  return { props: { document, headings, sidebar: docsSidebar() } };
};

export default function ApiReferencePage({ document, headings, sidebar }: Props) {
  return (
    <SitePage title="API reference" description="The Release Passport runtime API, generated from the same schemas the server validates with.">
      <DocsFrame current="/docs/api" sidebar={sidebar} headings={headings}>
        <ApiOverview document={document} />
      </DocsFrame>
    </SitePage>
  );
}
