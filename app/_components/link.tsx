/**
 * The app's one link: Next's, without prefetching every link that scrolls into view. Each prefetch
 * of a console page is a server render and, on the client, decoding its payload on the main thread
 * while the page is still hydrating; on a phone that was most of the console's blocking time
 * (Lighthouse, issue 21). Navigation fetches the page on click instead; a link that should
 * prefetch can still say so (`prefetch`).
 */
import NextLink from 'next/link';
import type { ComponentProps } from 'react';

export default function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}

/** Whether the link it is rendered inside is navigating (for a pending mark; client components only). */
export { useLinkStatus } from 'next/link';
