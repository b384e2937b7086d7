/** The ways every page is looked at (issue 21): light and dark on a desktop, and a phone's width. */
export const MODES = [
  { name: 'light', scheme: 'light', viewport: { width: 1280, height: 900 } },
  { name: 'dark', scheme: 'dark', viewport: { width: 1280, height: 900 } },
  { name: '390px', scheme: 'light', viewport: { width: 390, height: 844 } },
] as const;
