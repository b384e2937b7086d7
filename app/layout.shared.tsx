import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { ThemeProvider } from './_components/theme-provider';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Release Passport', template: '%s · Release Passport' },
  description: 'Self-hosted release readiness: evidence, policy, and a signed passport for every release.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request headers renders every page per request, which the per-request CSP
  // nonce requires; Next applies the nonce from the CSP header to its own scripts.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // The theme script sets the `dark` class before hydration: React must not complain about it.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen font-sans">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">
          Skip to content
        </a>
        <ThemeProvider nonce={nonce}>{children}</ThemeProvider>
      </body>
    </html>
  );
}
