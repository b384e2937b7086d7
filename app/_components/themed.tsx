import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { ThemeProvider } from './theme-provider';

/**
 * Light/dark for the runtime's pages (the public site has its own provider in its layout):
 * next-themes' inline script needs this request's CSP nonce.
 */
export async function Themed({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return <ThemeProvider nonce={nonce}>{children}</ThemeProvider>;
}
