/**
 * CI/CD: GitHub Actions workflow runs of the configured repositories (optionally only the
 * configured workflows), for the release's source SHA. Read at gate time, since the SHA is the
 * release's.
 */
import { z } from 'zod';
import { ConnectorError } from '../http';
import { oneOf, segment } from '../scope';
import { bearer, commonSettings, type ConnectorKind } from '../types';

const configSchema = z.object({
  ...commonSettings,
  baseUrl: commonSettings.baseUrl.default('https://api.github.com'),
  repositories: z
    .array(z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'owner/repository'))
    .min(1)
    .max(100),
  /** Workflow files (`ci.yml`) whose runs count; absent means every workflow. */
  workflows: z.array(z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, 'a workflow file name, e.g. ci.yml')).max(50).optional(),
});
type GitHubConfig = z.infer<typeof configSchema>;

interface Run {
  id: number;
  name: string | null;
  path?: string;
  workflow_id: number;
  head_sha: string;
  status: string | null;
  conclusion: string | null;
  run_number: number;
  run_attempt?: number;
  event: string;
  html_url: string;
  created_at: string;
  updated_at: string;
}

const SHA = /^[0-9a-f]{40}$/;
const FAILED = new Set(['failure', 'cancelled', 'timed_out', 'action_required', 'startup_failure', 'stale']);

export const githubActions: ConnectorKind<GitHubConfig> = {
  type: 'github-actions',
  label: 'GitHub Actions',
  category: 'ci',
  credential: 'required',
  configSchema,
  needsSha: true,
  allowedRequests: (config) =>
    config.repositories.map((repository) => {
      const [owner, repo] = repository.split('/') as [string, string];
      return {
        method: 'GET' as const,
        path: `/repos/${segment(owner)}/${segment(repo)}/actions/runs`,
        params: { head_sha: (value: string) => SHA.test(value), per_page: oneOf(['100']) },
        required: ['head_sha'],
      };
    }),
  targets: (config) => config.repositories,
  headers: () => ({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }),
  authorize: bearer,
  async read({ http, config, subject }, repository) {
    if (!subject.sha || !SHA.test(subject.sha)) throw new ConnectorError('A CI reading needs the release\'s 40-character source SHA', null, false);
    const [owner, repo] = repository.split('/') as [string, string];
    const { body } = await http.getJson<{ workflow_runs: Run[] }>(`/repos/${segment(owner)}/${segment(repo)}/actions/runs`, {
      head_sha: subject.sha,
      per_page: '100',
    });
    if (!Array.isArray(body.workflow_runs)) throw new ConnectorError('GitHub did not answer a list of workflow runs', 200, false);
    const wanted = (run: Run) => !config.workflows || config.workflows.some((file) => (run.path ?? '').endsWith(`/${file}`));
    // The latest run of each workflow for this SHA decides (a re-run replaces a failed attempt).
    const latest = new Map<number, Run>();
    for (const run of body.workflow_runs.filter((run) => run.head_sha === subject.sha && wanted(run))) {
      const seen = latest.get(run.workflow_id);
      if (!seen || run.run_number > seen.run_number || (run.run_number === seen.run_number && (run.run_attempt ?? 1) > (seen.run_attempt ?? 1))) {
        latest.set(run.workflow_id, run);
      }
    }
    const runs = [...latest.values()]
      .sort((a, b) => (a.path ?? a.name ?? '').localeCompare(b.path ?? b.name ?? ''))
      .map((run) => ({ id: run.id, name: run.name, workflow: run.path ?? null, status: run.status, conclusion: run.conclusion, event: run.event, url: run.html_url, updatedAt: run.updated_at }));
    const missing = (config.workflows ?? []).filter((file) => !runs.some((run) => (run.workflow ?? '').endsWith(`/${file}`)));
    const conclusion =
      runs.length === 0
        ? 'none'
        : runs.some((run) => FAILED.has(run.conclusion ?? ''))
          ? 'failure'
          : runs.some((run) => run.status !== 'completed') || missing.length > 0
            ? 'pending'
            : runs.every((run) => run.conclusion === 'success' || run.conclusion === 'skipped' || run.conclusion === 'neutral')
              ? 'success'
              : 'failure';
    return { repository, sha: subject.sha, conclusion, runs, missingWorkflows: missing };
  },
};
