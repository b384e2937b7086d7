/** Waits until `check` holds, polling every 20 ms; throws after `withinMs` (for what a notification or another process brings). */
export async function eventually(check: () => Promise<boolean> | boolean, withinMs = 3_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
