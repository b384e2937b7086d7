import type { GetServerSideProps } from 'next';
import Link from '@/app/_components/link';
import type { OpenApiDocument } from '@/lib/api/openapi';
import { readPublicDocumentFile } from '@/lib/api/public-document-file';
import { docsSidebar } from '@/lib/site/docs';
import { ApiTagReference, apiTagHeadings, apiTags } from '@/app/(site)/_components/api-reference';
import { DocsFrame, type DocsSidebar } from '@/app/(site)/_components/docs-frame';
import { DocsNotFound } from '@/app/(site)/_components/docs-not-found';
import { SitePage } from '@/app/(site)/_components/site-page';

// Sent without React (docs/architecture.md "The public site without React").
export const config = { unstable_runtimeJS: false };

type Props = { document: OpenApiDocument; tag: string; headings: Array<{ id: string; text: string }>; sidebar: DocsSidebar } | { missing: string; sidebar: DocsSidebar };

export const getServerSideProps: GetServerSideProps<Props, { tag: string }> = async ({ params, res }) => {
  const document = readPublicDocumentFile();
  const found = apiTags(document).find(({ slug }) => slug === params?.tag);
  if (!found) {
    // A 404 that keeps the docs' navigation (DocsNotFound).
    res.statusCode = 404;
    return { props: { missing: `/docs/api/${params?.tag ?? ''}`, sidebar: docsSidebar() } };
  }
  return { props: { document, tag: found.tag, headings: apiTagHeadings(document, found.tag), sidebar: docsSidebar() } };
};

export default function ApiTagPage(props: Props) {
  if ('missing' in props) {
    return (
      <DocsNotFound description="This part of the API reference does not exist." current="/docs/api" sidebar={props.sidebar}>
        There is no part of the API reference at <code>{props.missing}</code>. The <Link href="/docs/api">API reference</Link> lists every operation.
      </DocsNotFound>
    );
  }
  return (
    <SitePage title={`${props.tag} · API reference`} description={`The ${props.tag} operations of the Release Passport runtime API: credentials, parameters, request and response schemas.`}>
      <DocsFrame current="/docs/api" sidebar={props.sidebar} headings={props.headings}>
        <ApiTagReference document={props.document} tag={props.tag} />
      </DocsFrame>
    </SitePage>
  );
}
