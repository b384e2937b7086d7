/**
 * The route split (docs/architecture.md). Edge-safe. The build already leaves the other target's
 * pages out; the middleware uses these lists to answer 404 for them before any page code runs,
 * and to know which paths need a session.
 */
import type { Target } from './target';

const PUBLIC_ONLY = ['/pricing', '/docs', '/changelog', '/status', '/download', '/security', '/trust', '/portal', '/checkout', '/openapi.json', '/api/webhooks'];
const RUNTIME_ONLY = ['/console', '/settings', '/account', '/invite', '/api/v1', '/api/auth/link'];
const PROTECTED = { runtime: ['/console', '/settings', '/account'], public: ['/portal'] } as const;

function under(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(prefix + '/');
}

/** True when the path belongs only to the other target and must look as if it did not exist. */
export function belongsToOtherTarget(target: Target, pathname: string): boolean {
  const foreign = target === 'runtime' ? PUBLIC_ONLY : RUNTIME_ONLY;
  return foreign.some((prefix) => under(pathname, prefix));
}

export function needsSession(target: Target, pathname: string): boolean {
  return PROTECTED[target].some((prefix) => under(pathname, prefix));
}

/** `/console/acme/...` and `/settings/acme/...` name a workspace whose membership is checked. */
export function workspaceSlugOf(pathname: string): string | null {
  const match = /^\/(?:console|settings)\/([^/]+)/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // Not valid UTF-8: no workspace has such a slug. A slug no session lists, so a non-member
    // answer (404) rather than an exception (the server also rewrites such paths, lib/http/request-start.ts).
    return match[1]!;
  }
}
