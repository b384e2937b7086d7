/** The stylesheets of the public pages sent without React: the Pages Router takes global CSS only here. */
import type { AppProps } from 'next/app';
import '@/app/globals.css';
import '@/app/(site)/site.css';

export default function SiteApp({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}
