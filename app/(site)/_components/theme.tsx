'use client';

/** The site header's theme switch: system, light, dark (the provider is in the root layout). */
import { useTheme } from 'next-themes';
import { useSyncExternalStore } from 'react';

const ORDER = ['system', 'light', 'dark'] as const;
const LABEL: Record<(typeof ORDER)[number], string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

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
      className="inline-flex h-9 items-center gap-2 rounded-md border border-slate-300 px-2.5 text-sm text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
      aria-label={`${LABEL[current]} (switch to ${LABEL[next].toLowerCase()})`}
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
        {current === 'dark' ? (
          <path d="M17.3 13.4A7.5 7.5 0 0 1 6.6 2.7a7.5 7.5 0 1 0 10.7 10.7Z" />
        ) : current === 'light' ? (
          <path d="M10 14a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0-12a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0V3a1 1 0 0 1 1-1Zm0 14a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0v-1a1 1 0 0 1 1-1ZM3 9h1a1 1 0 1 1 0 2H3a1 1 0 1 1 0-2Zm13 0h1a1 1 0 1 1 0 2h-1a1 1 0 1 1 0-2Z" />
        ) : (
          <path d="M3 4a1 1 0 0 1 1-1h12a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-4l.5 2H14a1 1 0 1 1 0 2H6a1 1 0 1 1 0-2h1.5l.5-2H4a1 1 0 0 1-1-1V4Zm2 1v7h10V5H5Z" />
        )}
      </svg>
      <span className="sr-only sm:not-sr-only">{current === 'system' ? 'Auto' : current === 'light' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
