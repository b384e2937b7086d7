/**
 * The HTML frame of the public pages sent without React (docs/architecture.md "The public site
 * without React"): the language, the site script inlined with the request's CSP nonce (set by
 * middleware.ts), and nothing of Next's runtime (each page sets `unstable_runtimeJS: false`).
 */
import Document, { Head, Html, Main, NextScript, type DocumentContext, type DocumentInitialProps } from 'next/document';
import { SITE_SCRIPT } from '@/app/(site)/_components/site-script';

interface Props extends DocumentInitialProps {
  nonce?: string;
}

export default class SiteDocument extends Document<Props> {
  static override async getInitialProps(context: DocumentContext): Promise<Props> {
    const initial = await Document.getInitialProps(context);
    const nonce = context.req?.headers['x-nonce'];
    return { ...initial, nonce: typeof nonce === 'string' ? nonce : undefined };
  }

  override render() {
    const { nonce } = this.props;
    return (
      <Html lang="en">
        <Head nonce={nonce}>
          {/* Before the body: the colour scheme is set before anything is painted. */}
          <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SITE_SCRIPT }} />
        </Head>
        <body className="min-h-screen font-sans">
          <Main />
          <NextScript nonce={nonce} />
        </body>
      </Html>
    );
  }
}
