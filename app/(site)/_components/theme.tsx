'use client';

/** The site header's theme switch: system, light, dark (the provider is in the root layout). */
import { useTheme } from 'next-themes';
import { useSyncExternalStore } from 'react';
import { BUTTON_CLASS, LABEL, ORDER, SHORT, ThemeIcon } from './theme-parts';

const subscribe = () => () => {};

export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  // The stored choice is known only in the browser: render a neutral button on the server.
  const mounted = useSyncExternalStore(subscribe, () => true, () => false);
  const current = mounted ? ((ORDER as readonly string[]).includes(theme ?? '') ? (theme as (typeof ORDER)[number]) : 'system') : 'system';
  const next = ORDER[(ORDER.indexOf(current) + 1) % ORDER.length]!;
  return (
    <button
      type="button"
      onClick={() => setTheme(next)}
      className={BUTTON_CLASS}
      aria-label={`${LABEL[current]} (switch to ${LABEL[next].toLowerCase()})`}
    >
      <ThemeIcon choice={current} />
      <span className="sr-only sm:not-sr-only">{SHORT[current]}</span>
    </button>
  );
}
