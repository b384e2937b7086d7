import { SiteFooter, SiteHeader } from './_components/site-chrome';

/** The public site's frame: header and footer (the theme comes from the root layout). Pages render their own <main id="main">. */
export default function SiteLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <SiteHeader />
      {children}
      <SiteFooter />
    </>
  );
}
