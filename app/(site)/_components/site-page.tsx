/**
 * The frame of a public page sent without React (pages/): title and description, the skip link,
 * the site's header (its scripted version) and footer. The App Router pages get the same from
 * app/layout.shared.tsx and app/(site)/layout.public.tsx.
 */
import Head from 'next/head';
import type { ReactNode } from 'react';
import { SiteFooter, SiteHeader } from './site-chrome';

const SITE_NAME = 'Release Passport';

export function SitePage({ title, description, children }: { title: string | { absolute: string }; description: string; children: ReactNode }) {
  return (
    <>
      <Head>
        <title>{typeof title === 'string' ? `${title} · ${SITE_NAME}` : title.absolute}</title>
        <meta name="description" content={description} />
        <meta name="viewport" content="width=device-width, initial-scale=1" key="viewport" />
        <link rel="icon" href="/favicon.ico" sizes="48x48" type="image/x-icon" />
        <link rel="icon" href="/icon.svg" sizes="any" type="image/svg+xml" />
      </Head>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">
        Skip to content
      </a>
      <SiteHeader scripted />
      {children}
      <SiteFooter />
    </>
  );
}

