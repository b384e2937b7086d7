import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * What no page may have in any of the ways it is looked at (issue 21; e2e/support/modes.ts): axe
 * violations, a sideways scroll, links named alike that go to different places. One line per
 * problem, each starting with `label`; none when the page is clean.
 */
export async function pageProblems(page: Page, label: string, axeTags: string[] = WCAG_21_AA): Promise<string[]> {
  const problems: string[] = [];
  const axe = await new AxeBuilder({ page }).withTags(axeTags).analyze();
  for (const violation of axe.violations) problems.push(`${label} ${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  problems.push(...(await sidewaysScroll(page, label)));
  for (const ambiguous of await ambiguousLinks(page)) problems.push(`${label} has links named alike that go to different places: ${ambiguous}`);
  return problems;
}

/** The page is wider than the window (something is cut off or needs a sideways scroll to reach). */
export async function sidewaysScroll(page: Page, label: string): Promise<string[]> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  return overflow > 0 ? [`${label} scrolls sideways by ${overflow} px`] : [];
}

/**
 * Link names (as announced: aria-label, else the text, visually hidden parts included) shared by
 * links to different addresses: a screen reader's list of links shows names only, so two links
 * named alike must go to the same place.
 */
async function ambiguousLinks(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const byName = new Map<string, Set<string>>();
    for (const link of document.querySelectorAll('a[href]')) {
      const name = (link.getAttribute('aria-label') ?? link.textContent ?? '').replace(/\s+/g, ' ').trim();
      const target = new URL(link.getAttribute('href')!, location.href);
      target.hash = '';
      if (!byName.has(name)) byName.set(name, new Set());
      byName.get(name)!.add(target.toString());
    }
    return [...byName].filter(([, targets]) => targets.size > 1).map(([name, targets]) => `"${name}" → ${[...targets].join(', ')}`);
  });
}

/**
 * Text under `selector` that breaks onto a second line (a header's name or link squeezed by its
 * neighbours): each visible text node's line boxes must share one top.
 */
export async function wrappedText(page: Page, label: string, selector: string): Promise<string[]> {
  const wrapped = await page.evaluate((root) => {
    const found: string[] = [];
    for (const container of document.querySelectorAll(root)) {
      const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent?.trim();
        if (!text) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const tops = new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
        if (tops.size > 1) found.push(text);
      }
    }
    return found;
  }, selector);
  return wrapped.map((text) => `${label}: "${text}" wraps onto a second line`);
}
