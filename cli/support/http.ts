/**
 * The fetch every rp command uses. Behind a corporate proxy (HTTPS_PROXY / HTTP_PROXY, NO_PROXY,
 * in either case, as curl reads them) requests go through it: Node's own fetch ignores those
 * variables, so a CI runner that can only reach out through its proxy would retry "cannot reach"
 * until the deadline. Without them it is Node's fetch, unchanged.
 */
type Env = Record<string, string | undefined>;

/** Why a request got no answer: the system's code (ECONNREFUSED, ENOTFOUND...), not fetch's "fetch failed". */
export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Whether the environment names a proxy for rp's requests. */
export function proxyConfigured(env: Env = process.env): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => Boolean(env[name]?.trim()));
}

let proxied: Promise<(input: string | URL, init?: RequestInit) => Promise<Response>> | null = null;

export async function cliFetch(input: string | URL, init?: RequestInit): Promise<Response> {
  if (!proxyConfigured()) return fetch(input, init);
  // Loaded only behind a proxy: every other run starts without it.
  proxied ??= import('undici').then(({ EnvHttpProxyAgent, fetch: undiciFetch }) => {
    const dispatcher = new EnvHttpProxyAgent();
    // undici's own fetch takes its own dispatcher; its Request and Response are the standard ones.
    return (url, options) => undiciFetch(url, { ...(options as object), dispatcher }) as unknown as Promise<Response>;
  });
  return (await proxied)(input, init);
}
