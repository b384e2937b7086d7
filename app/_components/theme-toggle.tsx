'use client';
import { useTheme } from 'next-themes';
import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/** Light, dark or the system's choice; a radio group, so it works with the keyboard. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  // The stored choice is only known in the browser: render "system" on the server.
  const mounted = useSyncExternalStore(subscribe, () => true, () => false);
  const current = mounted ? (theme ?? 'system') : 'system';
  return (
    <fieldset className="px-3 py-2">
      <legend className="text-xs font-medium text-slate-500 dark:text-slate-400">Theme</legend>
      <div className="mt-1 flex gap-1">
        {(['light', 'dark', 'system'] as const).map((option) => (
          <label key={option} className="cursor-pointer rounded px-2 py-1 text-xs capitalize text-slate-700 has-[:checked]:bg-slate-200 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 dark:text-slate-300 dark:has-[:checked]:bg-slate-700">
            <input type="radio" name="theme" value={option} checked={current === option} onChange={() => setTheme(option)} className="sr-only" />
            {option}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
