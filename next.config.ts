import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './lib/security/headers';
import { parseTarget } from './lib/target';

// One codebase, two builds (docs/architecture.md): `*.public.ts(x)` route files exist only in the
// public build, `*.runtime.ts(x)` only in the runtime build; shared ones are `*.shared.tsx` or plain
// `.ts`. Not plain `.tsx`: every .tsx file under pages/ would then be a route of both builds
// (`pages/pricing.public.tsx` served by the runtime as /pricing.public, with the billing code).
const target = parseTarget(process.env.RP_TARGET);
const own = target === 'public' ? 'public' : 'runtime';

const config: NextConfig = {
  distDir: `.next-${target}`,
  output: 'standalone',
  pageExtensions: [`${own}.tsx`, `${own}.ts`, 'shared.tsx', 'ts'],
  // Inlined at build time, also into the Edge middleware bundle.
  env: { RP_TARGET: target },
  poweredByHeader: false,
  // forbidden() (403) for a member lacking a permission; non-members get notFound() (404).
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  // Type-checking is its own step (npm run typecheck, in .ci/run); each build would repeat it.
  typescript: { ignoreBuildErrors: true },
  // A native addon: loaded from its own package folder at run time, not bundled.
  serverExternalPackages: ['@node-rs/argon2'],
  // Code names the data directory (process.cwd()/.data) at run time; file tracing would otherwise
  // copy a developer's local database, keys and secrets into the standalone package.
  // (e2e/ and patches/ hold files named postgres*, which the tracer's loose match of the postgres
  // driver's dynamic imports would otherwise copy in.)
  // sharp (and its @img binaries) serve next/image's optimizer, which nothing here uses (images are
  // unoptimized below): about a fifth of the package, left out.
  outputFileTracingExcludes: { '*': ['.data/**', '.cache/**', 'test-results/**', 'e2e/**', 'patches/**', 'scripts/**', 'node_modules/sharp/**', 'node_modules/@img/**'] },
  images: { unoptimized: true },
  // Headers every response needs, pages, API and static files alike, at no middleware cost.
  headers: async () => [{ source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] }],
};

export default config;
