/** Runs once when the runtime server starts (Node only): migrate, then bootstrap. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startRuntime } = await import('./lib/startup/runtime');
  await startRuntime();
}
