/**
 * `rp report-deployment`: a deploy job says what it put in an environment, for anything the
 * Kubernetes and Argo CD connectors do not watch (lib/api/endpoints/deployments.ts). The answer says
 * whether that image is passported there; the command fails only when the report is not recorded
 * (what runs is a fact to record, not a gate: use rp gate before the deploy to stop it).
 */
import type { Command } from 'commander';
import { inWorkspace, workspaceFlags, type WorkspaceOptions } from '../support/workspace';

interface ReportOptions extends WorkspaceOptions {
  environment: string;
  image: string;
  service?: string;
}

interface Reported {
  deployment: {
    image: string;
    environment: string;
    digest: string | null;
    match: { status: 'passported' | 'drift' | 'unpassported' | 'unpinned'; reason: string; passport: { id: string; decision: string; mode: string } | null };
  };
  replaced: number;
}

const STATUS_TEXT: Record<Reported['deployment']['match']['status'], string> = {
  passported: 'passported',
  drift: 'DEPLOYED DESPITE A DENY',
  unpassported: 'NO PASSPORT',
  unpinned: 'UNPINNED (no digest)',
};

export function registerDeployments(program: Command): void {
  workspaceFlags(
    program
      .command('report-deployment')
      .description('record that an image now runs in an environment (the environment board); says whether it is passported there')
      .requiredOption('--environment <slug>', 'the environment it was deployed to')
      .requiredOption('--image <reference>', 'what runs: repository@sha256:<digest> (a tag alone is recorded as unpinned)')
      .option('--service <slug>', 'the service it is a release of (matched only to its passports; replaces its previous report)'),
    'API token with deployment:report',
  ).action((options: ReportOptions) =>
    inWorkspace(options, async (api, base) => {
      const answer = await api.json<Reported>('POST', `${base}/environments/${encodeURIComponent(options.environment)}/deployments`, {
        image: options.image,
        ...(options.service ? { service: options.service } : {}),
      });
      if (options.json) return console.log(JSON.stringify(answer, null, 2));
      const { deployment, replaced } = answer;
      const { match } = deployment;
      console.log(`${deployment.environment}: ${deployment.image} recorded${replaced ? `, replacing ${replaced} earlier report${replaced === 1 ? '' : 's'}` : ''}`);
      console.log(`status: ${STATUS_TEXT[match.status]}: ${match.reason}${match.passport ? ` (passport ${match.passport.id})` : ''}`);
    }),
  );
}
