// Module resolution hook for code run outside Next (the `rp` CLI through tsx, Playwright's test
// workers): `import 'server-only'` marks modules that must never reach a browser bundle, and the
// package throws unless resolved under React's "react-server" condition, which Next's server
// bundles use. Outside Next there is no browser bundle to protect, so it resolves as it would on
// the server: to the package's own empty module. Only this one package is resolved differently.
export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'server-only') return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: ['react-server', ...context.conditions] });
}
