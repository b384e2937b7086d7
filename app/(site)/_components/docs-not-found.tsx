import { DocsFrame, type DocsSidebar } from './docs-frame';
import { SitePage } from './site-page';

/**
 * A 404 inside the docs that keeps their navigation (the Pages Router's own 404 page would be
 * static, and so without the nonce the site script needs). The caller sets the 404 status.
 */
export function DocsNotFound({ description, current, sidebar, children }: { description: string; current: string; sidebar: DocsSidebar; children: React.ReactNode }) {
  return (
    <SitePage title="Page not found" description={description}>
      <DocsFrame current={current} sidebar={sidebar} headings={[]}>
        <h1>Page not found</h1>
        <p>{children}</p>
      </DocsFrame>
    </SitePage>
  );
}
