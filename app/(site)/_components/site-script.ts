/**
 * The public site's only script, inlined into the <head> of the pages sent without React
 * (pages/, docs/architecture.md "The public site without React"): on a phone, React and the
 * router cost the landing page 25 of its 100 Lighthouse points for a theme switch and a menu.
 *
 * It does what the React versions do (next-themes and DisclosureMenu, which the console keeps):
 * - the colour scheme: the choice (system, light, dark) is read from localStorage under next-themes'
 *   key, so a choice made on one page holds on the others; the `light`/`dark` class is set before
 *   the body is painted, and the header's switch shows its state through `data-theme-choice` on
 *   <html> (CSS in globals.css), so nothing moves when the script wires the button up; without
 *   the script (JavaScript off) the switch, which could not work, is not shown;
 * - menus (`<details data-menu>`): open and close natively, and also close on Escape (focus back
 *   on their button), on a click outside, and when focus leaves them.
 *
 * The function is sent as its own source text: it must not use anything outside its body.
 */
function siteScript(): void {
  const root = document.documentElement;
  const choices = ['system', 'light', 'dark'];
  const labels: Record<string, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  const stored = (): string => {
    try {
      const value = window.localStorage.getItem('theme');
      return value !== null && choices.includes(value) ? value : 'system';
    } catch {
      return 'system'; // storage refused (private mode, a blocked cookie setting): follow the system
    }
  };
  const following = (choice: string) => choices[(choices.indexOf(choice) + 1) % choices.length]!;
  // Touches <html> only where something changes: any change to it restyles the whole page.
  const apply = (choice: string) => {
    const resolved = choice === 'system' ? (systemDark.matches ? 'dark' : 'light') : choice;
    root.classList.toggle('light', resolved === 'light');
    root.classList.toggle('dark', resolved === 'dark');
    if (root.style.colorScheme !== resolved) root.style.colorScheme = resolved;
    if (root.dataset.themeChoice !== choice) root.dataset.themeChoice = choice;
    const toggle = document.querySelector('[data-theme-toggle]');
    toggle?.setAttribute('aria-label', `${labels[choice]} (switch to ${labels[following(choice)]!.toLowerCase()})`);
  };
  apply(stored());
  systemDark.addEventListener('change', () => apply(stored()));
  window.addEventListener('storage', (event) => {
    if (event.key === 'theme') apply(stored());
  });

  document.addEventListener('DOMContentLoaded', () => {
    apply(stored());
    const toggle = document.querySelector<HTMLButtonElement>('[data-theme-toggle]');
    if (toggle) {
      toggle.addEventListener('click', () => {
        const next = following(stored());
        try {
          window.localStorage.setItem('theme', next);
        } catch {
          // not remembered, still applied to this page
        }
        apply(next);
      });
    }
    const menus = [...document.querySelectorAll<HTMLDetailsElement>('details[data-menu]')];
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      for (const menu of menus) {
        if (!menu.open) continue;
        const hadFocus = menu.contains(document.activeElement);
        menu.open = false;
        if (hadFocus) menu.querySelector('summary')?.focus();
      }
    });
    document.addEventListener('pointerdown', (event) => {
      for (const menu of menus) if (menu.open && !menu.contains(event.target as Node)) menu.open = false;
    });
    for (const menu of menus) {
      menu.addEventListener('focusout', (event) => {
        if (event.relatedTarget instanceof Node && !menu.contains(event.relatedTarget)) menu.open = false;
      });
    }
  });
}

/** The script's text for an inline <script> (it carries the request's CSP nonce). */
export const SITE_SCRIPT = `(${siteScript.toString()})();`;
