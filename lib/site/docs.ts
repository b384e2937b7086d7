/**
 * The documentation: Markdown files in content/docs, listed here in reading order with their
 * section. Each file is rendered once per server process (pages render per request for the CSP
 * nonce, so the work is kept out of the request path).
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderMarkdown, type RenderedMarkdown } from './markdown';

export interface DocPage {
  /** URL path under /docs ('' is the index). */
  slug: string;
  title: string;
  description: string;
  section: 'Start' | 'Use' | 'Secure' | 'Operate' | 'Reference';
}

export const DOCS: readonly DocPage[] = [
  { slug: '', title: 'Overview', description: 'What Release Passport does and how the pieces fit.', section: 'Start' },
  { slug: 'install', title: 'Install', description: 'One machine, Postgres, containers or Kubernetes.', section: 'Start' },
  { slug: 'quick-start', title: 'Quick start', description: 'From an empty install to a first passport from CI.', section: 'Start' },
  { slug: 'cli', title: 'The rp CLI', description: 'Gate, evidence, verify and the admin commands.', section: 'Use' },
  { slug: 'gate-api', title: 'Gate API', description: 'Calling the gate over HTTP from any CI.', section: 'Use' },
  { slug: 'policies', title: 'Policies and modes', description: 'Rules, shadow, advisory and enforce.', section: 'Use' },
  { slug: 'connectors', title: 'Connectors', description: 'Scoped, read-only readings from your platform.', section: 'Use' },
  { slug: 'environments', title: 'Environments board', description: 'What runs where, matched to its passport; drift and rp report-deployment.', section: 'Use' },
  { slug: 'notifications', title: 'Notifications', description: 'Signed webhooks and Slack messages when a release needs someone.', section: 'Use' },
  { slug: 'licensing', title: 'Licenses', description: 'Installing a license and production entitlement.', section: 'Use' },
  { slug: 'admission', title: 'Admission control', description: 'The passport as an SLSA VSA: admit only what the gate allowed (Kyverno, policy-controller, slsa-verifier).', section: 'Secure' },
  { slug: 'security', title: 'Security guide', description: 'Controls, boundaries and how each is enforced.', section: 'Secure' },
  { slug: 'operations/settings', title: 'Settings', description: 'Every environment variable, its default, and how a wrong one is refused.', section: 'Operate' },
  { slug: 'operations/kubernetes', title: 'Kubernetes', description: 'The Kustomize manifests, the Secret, the overlay and the upgrade steps.', section: 'Operate' },
  { slug: 'operations/reverse-proxy', title: 'Behind a TLS proxy', description: 'nginx in front, headers to strip, development-only paths to reject.', section: 'Operate' },
  { slug: 'operations/backup', title: 'Backup and restore', description: 'What to back up and how to restore it.', section: 'Operate' },
  { slug: 'operations/upgrade', title: 'Upgrade', description: 'Upgrading and rolling back safely.', section: 'Operate' },
  { slug: 'operations/key-rotation', title: 'Key rotation', description: 'Signing keys, the secrets key, tokens and sessions.', section: 'Operate' },
  { slug: 'operations/retention', title: 'Retention', description: 'How long passports, evidence and audit events are kept.', section: 'Operate' },
  { slug: 'operations/faults', title: 'Failures and shutdown', description: 'What the gate does when its database, storage or process fails, and what to expect during a failover.', section: 'Operate' },
  { slug: 'operations/performance', title: 'Performance and sizing', description: 'Benchmark figures, budgets, cores and replicas.', section: 'Operate' },
  { slug: 'errors', title: 'API errors', description: 'Every problem code the API answers, and what to do about it.', section: 'Reference' },
];

export const DOC_SECTIONS = ['Start', 'Use', 'Secure', 'Operate', 'Reference'] as const;

const contentDir = () => path.join(process.cwd(), 'content', 'docs');
const rendered = new Map<string, RenderedMarkdown>();

export function findDoc(slug: string): DocPage | undefined {
  return DOCS.find((page) => page.slug === slug);
}

export function renderDoc(page: DocPage): RenderedMarkdown {
  let result = rendered.get(page.slug);
  if (!result) {
    const file = path.join(contentDir(), `${page.slug || 'index'}.md`);
    result = renderMarkdown(fs.readFileSync(file, 'utf8'));
    rendered.set(page.slug, result);
  }
  return result;
}

/** A link to a documentation page, as the docs' navigation renders it. */
export interface DocLink {
  href: string;
  title: string;
}

export const docHref = (page: DocPage): string => (page.slug ? `/docs/${page.slug}` : '/docs');
const linkTo = (page: DocPage): DocLink => ({ href: docHref(page), title: page.title });

/** The pages before and after, for the links at the end of a page. */
export function neighbours(slug: string): { previous: DocLink | null; next: DocLink | null } {
  const index = DOCS.findIndex((page) => page.slug === slug);
  const [previous, next] = [DOCS[index - 1], DOCS[index + 1]];
  return { previous: previous ? linkTo(previous) : null, next: next ? linkTo(next) : null };
}

/** The sidebar: each section's pages in reading order (the API reference is a page of its own). */
export function docsSidebar(): Array<{ section: string; links: DocLink[] }> {
  return DOC_SECTIONS.map((section) => ({
    section,
    links: [...DOCS.filter((page) => page.section === section).map(linkTo), ...(section === 'Reference' ? [{ href: '/docs/api', title: 'API reference' }] : [])],
  })).filter((group) => group.links.length > 0);
}

const renderedFiles = new Map<string, RenderedMarkdown>();

/** Another Markdown file under content/ (the changelog). */
export function renderContentFile(name: string): RenderedMarkdown {
  let result = renderedFiles.get(name);
  if (!result) {
    result = renderMarkdown(fs.readFileSync(path.join(process.cwd(), 'content', name), 'utf8'));
    renderedFiles.set(name, result);
  }
  return result;
}
