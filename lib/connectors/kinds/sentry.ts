/** Errors: Sentry's unresolved issues of the configured projects only, counted by level. */
import { z } from 'zod';
import { ConnectorError } from '../http';
import { oneOf, segment } from '../scope';
import { bearer, commonSettings, type ConnectorKind } from '../types';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'a Sentry slug: lowercase letters, digits, "-" and "_"');

const configSchema = z.object({
  ...commonSettings,
  baseUrl: commonSettings.baseUrl.default('https://sentry.io'),
  organization: slug,
  projects: z.array(slug).min(1).max(100),
  /** Count only issues seen in this Sentry environment. */
  environment: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
});
type SentryConfig = z.infer<typeof configSchema>;

interface Issue {
  id: string;
  shortId: string;
  title: string;
  level: string;
  count: string;
  lastSeen: string;
  permalink: string;
}

function issueQuery(config: SentryConfig): string {
  return config.environment ? `is:unresolved environment:${config.environment}` : 'is:unresolved';
}

export const sentry: ConnectorKind<SentryConfig> = {
  type: 'sentry',
  label: 'Sentry',
  category: 'errors',
  credential: 'required',
  configSchema,
  allowedRequests: (config) =>
    config.projects.map((project) => ({
      method: 'GET' as const,
      path: `/api/0/projects/${segment(config.organization)}/${segment(project)}/issues/`,
      params: { query: oneOf([issueQuery(config)]), statsPeriod: oneOf(['24h']), limit: oneOf(['100']) },
      required: ['query'],
    })),
  targets: (config) => config.projects,
  authorize: bearer,
  async read({ http, config }, project) {
    const { body } = await http.getJson<Issue[]>(`/api/0/projects/${segment(config.organization)}/${segment(project)}/issues/`, {
      query: issueQuery(config),
      statsPeriod: '24h',
      limit: '100',
    });
    if (!Array.isArray(body)) throw new ConnectorError('Sentry did not answer a list of issues', 200, false);
    const byLevel: Record<string, number> = {};
    for (const issue of body) byLevel[issue.level] = (byLevel[issue.level] ?? 0) + 1;
    return {
      project,
      unresolved: body.length,
      /** fatal + error: what a release should not ship with. */
      unresolvedErrors: (byLevel.fatal ?? 0) + (byLevel.error ?? 0),
      byLevel,
      truncated: body.length >= 100,
      issues: body
        .slice(0, 20)
        .map((issue) => ({ id: issue.id, shortId: issue.shortId, title: issue.title, level: issue.level, events: Number(issue.count), lastSeen: issue.lastSeen, url: issue.permalink })),
    };
  },
};
