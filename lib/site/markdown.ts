/**
 * Markdown for the public site's docs and changelog (marked, GitHub-flavoured): headings get
 * stable ids and an anchor link, external links open safely. The content is ours, written in the
 * repository; nothing a visitor sends is rendered.
 */
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from '@/lib/http/html';

export interface RenderedMarkdown {
  html: string;
  /** The first h1's text (the page title), if any. */
  title: string | null;
  /** h2 headings, for the page's table of contents. */
  headings: Array<{ id: string; text: string }>;
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/&[a-z]+;/g, '')
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-');
}

export function renderMarkdown(source: string): RenderedMarkdown {
  const headings: RenderedMarkdown['headings'] = [];
  const used = new Set<string>();
  let title: string | null = null;
  const marked = new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        if (depth === 1) {
          title ??= text;
          return `<h1>${inner}</h1>\n`;
        }
        let id = slugify(text) || 'section';
        for (let n = 2; used.has(id); n++) id = `${slugify(text)}-${n}`;
        used.add(id);
        if (depth === 2) headings.push({ id, text: text.replace(/`/g, '') });
        return `<h${depth} id="${id}">${inner}<a class="heading-anchor" href="#${id}" aria-label="Link to this section">#</a></h${depth}>\n`;
      },
      link({ href, title: linkTitle, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const external = /^https?:\/\//.test(href);
        const titleAttribute = linkTitle ? ` title="${escapeHtml(linkTitle)}"` : '';
        return `<a href="${escapeHtml(href)}"${titleAttribute}${external ? ' rel="noopener noreferrer"' : ''}>${inner}</a>`;
      },
      code({ text, lang }: Tokens.Code) {
        const language = lang ? ` data-language="${escapeHtml(lang)}"` : '';
        return `<pre tabindex="0"${language}><code>${escapeHtml(text)}</code></pre>\n`;
      },
    },
  });
  // A wide table scrolls sideways (site.css): focusable, like code blocks, so it scrolls by keyboard.
  const html = marked.parse(source, { async: false }).replaceAll('<table>', '<table tabindex="0">');
  return { html, title, headings };
}
