/**
 * Commands that act in one workspace through /api/v1/workspaces/<slug> (rp services, rp
 * environments, rp report-deployment): the workspace named with --workspace / RP_WORKSPACE, else the
 * token's own (asked once). Loaded eagerly: it imports nothing heavy.
 */
import type { Command } from 'commander';
import type { ApiClient, ConnectionOptions } from './api';
import { connectionFlags } from './flags';

export interface WorkspaceOptions extends ConnectionOptions {
  workspace?: string;
  json?: boolean;
}

/** The flags of such a command: --workspace, --json and the connection flags. */
export function workspaceFlags(command: Command, tokenHelp: string): Command {
  return connectionFlags(command.option('--workspace <slug>', "the workspace (default: $RP_WORKSPACE, else the token's own)").option('--json', 'print the answer as JSON'), tokenHelp);
}

/** Calls the API under /api/v1/workspaces/<slug>: the workspace named, or the token's own (asked once). */
export async function inWorkspace(options: WorkspaceOptions, work: (api: ApiClient, base: string) => Promise<void>): Promise<void> {
  const { apiClient } = await import('./api');
  const api = apiClient(options);
  let workspace = options.workspace ?? process.env.RP_WORKSPACE ?? '';
  if (!workspace) {
    const me = await api.json<{ workspace: { slug: string } | null }>('GET', '/api/v1/whoami');
    workspace = me.workspace?.slug ?? '';
  }
  if (!workspace) {
    const { UsageError } = await import('./api');
    throw new UsageError('Name the workspace with --workspace or RP_WORKSPACE.');
  }
  await work(api, `/api/v1/workspaces/${encodeURIComponent(workspace)}`);
}
