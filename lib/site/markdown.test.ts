import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

describe('the docs Markdown renderer', () => {
  it('gives headings unique ids and collects the table of contents', () => {
    const page = renderMarkdown('# Install\n\n## Requirements\n\ntext\n\n## Requirements\n\n### Node.js `20`\n');
    expect(page.title).toBe('Install');
    expect(page.headings).toEqual([{ id: 'requirements', text: 'Requirements' }, { id: 'requirements-2', text: 'Requirements' }]);
    expect(page.html).toContain('<h3 id="nodejs-20">');
  });

  it('escapes code and renders GitHub tables', () => {
    const page = renderMarkdown('```sh\necho "<script>"\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    expect(page.html).toContain('echo &#34;&#60;script&#62;&#34;');
    expect(page.html).toContain('<table tabindex="0">'); // scrolls sideways when wide: reachable by keyboard
  });

  it('marks external links and leaves internal ones alone', () => {
    const page = renderMarkdown('[ext](https://example.com) [int](/docs/install)');
    expect(page.html).toContain('<a href="https://example.com" rel="noopener noreferrer">ext</a>');
    expect(page.html).toContain('<a href="/docs/install">int</a>');
  });
});
