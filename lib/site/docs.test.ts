import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '@/lib/http/problem';
import { DOCS, findDoc, renderDoc } from './docs';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the documentation', () => {
  it('has a Markdown file for every listed page, and lists every file', () => {
    const files = fs
      .readdirSync(path.join(root, 'content', 'docs'), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.md'))
      .map((file) => file.replace(/\.md$/, '').replace(/^index$/, ''))
      .sort();
    expect(files).toEqual(DOCS.map((page) => page.slug).sort());
  });

  it('links only to pages that exist', () => {
    const known = new Set(['/', '/pricing', '/download', '/security', '/trust', '/changelog', '/status', '/login', '/portal', '/openapi.json', '/docs/api', ...DOCS.map((page) => (page.slug ? `/docs/${page.slug}` : '/docs'))]);
    for (const page of DOCS) {
      const { html, title } = renderDoc(page);
      expect(title, page.slug).toBeTruthy();
      for (const [, href] of html.matchAll(/href="(\/[^"#?]*)/g)) {
        expect(known.has(href!), `${page.slug || 'index'} links to ${href}`).toBe(true);
      }
    }
  });

  it('explains every problem code the API answers, where its type URL points', () => {
    const { html } = renderDoc(findDoc('errors')!);
    for (const code of PROBLEM_CODES) expect(html, code).toContain(`<h2 id="${code}">`);
  });
});
