/** Where the e2e suite's servers listen (started by playwright.config.ts from the built targets). */
export const RUNTIME_PORT = Number(process.env.E2E_RUNTIME_PORT ?? 3100);
export const PUBLIC_PORT = Number(process.env.E2E_PUBLIC_PORT ?? 3101);
// localhost, not 127.0.0.1: Next writes localhost into its own URLs (redirects, auth callbacks).
export const RUNTIME_URL = `http://localhost:${RUNTIME_PORT}`;
export const PUBLIC_URL = `http://localhost:${PUBLIC_PORT}`;
