import type { Metadata } from 'next';
import { renderContentFile } from '@/lib/site/docs';
import '../site.css';

export const metadata: Metadata = { title: 'Changelog', description: 'What changed in each Release Passport release.' };

export default function Changelog() {
  const { html } = renderContentFile('changelog.md');
  return (
    <main id="main" className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
      <article className="prose-doc" dangerouslySetInnerHTML={{ __html: html }} />
    </main>
  );
}
