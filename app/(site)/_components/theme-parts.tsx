/**
 * The theme switch's parts shared by its two versions: the React one (theme.tsx, on pages that ship
 * React) and the scripted one below (pages sent without React, wired up by site-script.ts).
 */
export const ORDER = ['system', 'light', 'dark'] as const;
export const LABEL: Record<(typeof ORDER)[number], string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

export const SHORT: Record<(typeof ORDER)[number], string> = { system: 'Auto', light: 'Light', dark: 'Dark' };
export const BUTTON_CLASS = 'inline-flex h-9 items-center gap-2 rounded-md border border-slate-300 px-2.5 text-sm text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800';

/** The switch as the pages sent without React render it: site-script.ts wires it up and names it;
 * CSS (globals.css) shows the part matching `data-theme-choice` on <html>. */
export function ScriptedThemeToggle() {
  return (
    <button type="button" data-theme-toggle className={BUTTON_CLASS} aria-label={`${LABEL.system} (switch to ${LABEL.light.toLowerCase()})`}>
      {ORDER.map((choice) => (
        <span key={choice} className="theme-choice" data-choice={choice}>
          <ThemeIcon choice={choice} />
          <span className="sr-only sm:not-sr-only">{SHORT[choice]}</span>
        </span>
      ))}
    </button>
  );
}

export function ThemeIcon({ choice }: { choice: (typeof ORDER)[number] }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
      {choice === 'dark' ? (
        <path d="M17.3 13.4A7.5 7.5 0 0 1 6.6 2.7a7.5 7.5 0 1 0 10.7 10.7Z" />
      ) : choice === 'light' ? (
        <path d="M10 14a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0-12a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0V3a1 1 0 0 1 1-1Zm0 14a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0v-1a1 1 0 0 1 1-1ZM3 9h1a1 1 0 1 1 0 2H3a1 1 0 1 1 0-2Zm13 0h1a1 1 0 1 1 0 2h-1a1 1 0 1 1 0-2Z" />
      ) : (
        <path d="M3 4a1 1 0 0 1 1-1h12a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-4l.5 2H14a1 1 0 1 1 0 2H6a1 1 0 1 1 0-2h1.5l.5-2H4a1 1 0 0 1-1-1V4Zm2 1v7h10V5H5Z" />
      )}
    </svg>
  );
}
