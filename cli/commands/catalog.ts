/**
 * `rp services` and `rp environments`: the workspace's catalog through the API (lib/api/endpoints/
 * catalog.ts), with a token holding catalog:write (passport:read is enough to list). The workspace
 * is the token's own unless --workspace / RP_WORKSPACE names it. An environment's tier is an admin's
 * decision: a token is never allowed to set it, so `--tier` needs an admin in the console (or the
 * API with an admin's session); the server's refusal says so.
 */
import type { Command } from 'commander';
import { inWorkspace as run, workspaceFlags, type WorkspaceOptions as CatalogOptions } from '../support/workspace';

interface Service {
  slug: string;
  name: string;
  archived: boolean;
  owners: Array<{ email: string; name: string }>;
}

interface Environment {
  slug: string;
  name: string;
  tier: string;
  classified: boolean;
  position: number | null;
  archived: boolean;
}

const TOKEN_HELP = 'API token with catalog:write (passport:read to list)';

export function registerCatalog(program: Command): void {
  registerServices(program);
  registerEnvironments(program);
}

function registerServices(program: Command): void {
  const services = program.command('services').description("the workspace's services: list, create, rename, archive, owners");

  command(services, 'list', 'list services with their owners')
    .option('--archived', 'include archived services')
    .action((options: CatalogOptions & { archived?: boolean }) =>
      run(options, async (api, base) => {
        const { services: list } = await api.json<{ services: Service[] }>('GET', `${base}/services${options.archived ? '?archived=include' : ''}`);
        if (options.json) return console.log(JSON.stringify(list, null, 2));
        const { table } = await import('../support/output');
        if (!list.length) return console.log('No services yet: the first gate call creates one, or use rp services create.');
        console.log(table(['service', 'name', 'owners', 'state'], list.map((s) => [s.slug, s.name, s.owners.map((o) => o.email).join(', ') || '-', s.archived ? 'archived' : 'active'])));
      }),
    );

  command(services, 'create <slug>', 'register a service before CI names it')
    .option('--name <name>', 'display name (default: the slug)')
    .option('--owner <email...>', 'owners: emails of workspace members')
    .action((slug: string, options: CatalogOptions & { name?: string; owner?: string[] }) =>
      run(options, async (api, base) => {
        const created = await api.json<Service>('POST', `${base}/services`, { slug, ...(options.name ? { name: options.name } : {}), ...(options.owner ? { owners: options.owner } : {}) });
        printService(created, options, 'created');
      }),
    );

  command(services, 'update <slug>', 'rename (the slug stays: CI keeps using it), set owners, archive or unarchive')
    .option('--name <name>', 'new display name')
    .option('--owner <email...>', 'replace the owners with these workspace members')
    .option('--no-owners', 'remove every owner')
    .option('--archive', 'archive it: the gate refuses new releases for it; history stays readable')
    .option('--unarchive', 'take it back into use')
    .action((slug: string, options: CatalogOptions & { name?: string; owner?: string[]; owners?: boolean; archive?: boolean; unarchive?: boolean }) =>
      run(options, async (api, base) => {
        const change = {
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.owner ? { owners: options.owner } : options.owners === false ? { owners: [] } : {}),
          ...archived(options),
        };
        await nonEmpty(change, '--name, --owner, --no-owners, --archive or --unarchive');
        printService(await api.json<Service>('PATCH', `${base}/services/${encodeURIComponent(slug)}`, change), options, 'updated');
      }),
    );

  command(services, 'archive <slug>', 'archive a service: the gate refuses new releases for it (rp services update <slug> --unarchive to undo)').action(
    (slug: string, options: CatalogOptions) =>
      run(options, async (api, base) => printService(await api.json<Service>('PATCH', `${base}/services/${encodeURIComponent(slug)}`, { archived: true }), options, 'archived')),
  );
}

function registerEnvironments(program: Command): void {
  const environments = program.command('environments').description("the workspace's environments: list, create, rename, tier, archive, promotion order");

  command(environments, 'list', 'list environments in promotion order, with their tiers')
    .option('--archived', 'include archived environments')
    .action((options: CatalogOptions & { archived?: boolean }) =>
      run(options, async (api, base) => {
        const { environments: list } = await api.json<{ environments: Environment[] }>('GET', `${base}/environments${options.archived ? '?archived=include' : ''}`);
        if (options.json) return console.log(JSON.stringify(list, null, 2));
        const { table } = await import('../support/output');
        if (!list.length) return console.log('No environments yet: the first gate call creates one, or use rp environments create.');
        console.log(
          table(
            ['#', 'environment', 'name', 'tier', 'state'],
            list.map((e) => [e.position === null ? '-' : String(e.position + 1), e.slug, e.name, e.classified ? e.tier : `${e.tier} (unclassified)`, e.archived ? 'archived' : 'active']),
          ),
        );
        const unclassified = list.filter((e) => !e.classified && !e.archived).length;
        if (unclassified) console.log(`\n${unclassified} environment${unclassified === 1 ? ' needs' : 's need'} a tier: an admin sets it in the console (Services) or with --tier.`);
      }),
    );

  command(environments, 'create <slug>', 'create an environment (non-production and unclassified unless --tier is given, by an admin)')
    .option('--name <name>', 'display name (default: the slug)')
    .option('--tier <tier>', 'production or non-production (an admin only)')
    .action((slug: string, options: CatalogOptions & { name?: string; tier?: string }) =>
      run(options, async (api, base) => {
        const created = await api.json<Environment>('POST', `${base}/environments`, { slug, ...(options.name ? { name: options.name } : {}), ...(await tier(options.tier)) });
        printEnvironment(created, options, 'created');
      }),
    );

  command(environments, 'update <slug>', 'rename (the slug stays), set the tier (an admin only), archive or unarchive')
    .option('--name <name>', 'new display name')
    .option('--tier <tier>', 'production or non-production (an admin only; audited)')
    .option('--archive', 'archive it: the gate refuses new releases to it; history stays readable')
    .option('--unarchive', 'take it back into use')
    .action((slug: string, options: CatalogOptions & { name?: string; tier?: string; archive?: boolean; unarchive?: boolean }) =>
      run(options, async (api, base) => {
        const change = { ...(options.name !== undefined ? { name: options.name } : {}), ...(await tier(options.tier)), ...archived(options) };
        await nonEmpty(change, '--name, --tier, --archive or --unarchive');
        printEnvironment(await api.json<Environment>('PATCH', `${base}/environments/${encodeURIComponent(slug)}`, change), options, 'updated');
      }),
    );

  command(environments, 'archive <slug>', 'archive an environment: the gate refuses new releases to it (rp environments update <slug> --unarchive to undo)').action(
    (slug: string, options: CatalogOptions) =>
      run(options, async (api, base) => printEnvironment(await api.json<Environment>('PATCH', `${base}/environments/${encodeURIComponent(slug)}`, { archived: true }), options, 'archived')),
  );

  command(environments, 'order <slugs...>', 'set the promotion order, first to last (e.g. dev staging production); the others follow')
    .action((slugs: string[], options: CatalogOptions) =>
      run(options, async (api, base) => {
        const { environments: list } = await api.json<{ environments: Environment[] }>('PUT', `${base}/promotion-order`, { order: slugs });
        if (options.json) return console.log(JSON.stringify(list, null, 2));
        console.log(`promotion order: ${list.map((e) => e.slug).join(' → ')}`);
      }),
    );
}

function command(parent: Command, name: string, description: string): Command {
  return workspaceFlags(parent.command(name).description(description), TOKEN_HELP);
}

function archived(options: { archive?: boolean; unarchive?: boolean }): { archived?: boolean } {
  if (options.archive && options.unarchive) return { archived: undefined };
  return options.archive ? { archived: true } : options.unarchive ? { archived: false } : {};
}

async function nonEmpty(change: Record<string, unknown>, flags: string): Promise<void> {
  const { UsageError } = await import('../support/api');
  if ('archived' in change && change.archived === undefined) throw new UsageError('Give --archive or --unarchive, not both.');
  if (!Object.keys(change).length) throw new UsageError(`Nothing to change: give ${flags}.`);
}

async function tier(value: string | undefined): Promise<{ tier?: string }> {
  if (value === undefined) return {};
  const { ENVIRONMENT_TIERS } = await import('@/lib/domain/primitives');
  if (!(ENVIRONMENT_TIERS as readonly string[]).includes(value)) {
    const { UsageError } = await import('../support/api');
    throw new UsageError(`--tier ${value}: use ${ENVIRONMENT_TIERS.join(' or ')}.`);
  }
  return { tier: value };
}

function printService(service: Service, options: CatalogOptions, what: string): void {
  if (options.json) return console.log(JSON.stringify(service, null, 2));
  const owners = service.owners.map((owner) => owner.email).join(', ') || 'none';
  console.log(`service ${service.slug} ${what}: name "${service.name}", owners ${owners}${service.archived ? ', archived (the gate refuses new releases for it)' : ''}`);
}

function printEnvironment(environment: Environment, options: CatalogOptions, what: string): void {
  if (options.json) return console.log(JSON.stringify(environment, null, 2));
  const tierText = environment.classified ? environment.tier : `${environment.tier}, unclassified (an admin sets the tier)`;
  console.log(`environment ${environment.slug} ${what}: name "${environment.name}", ${tierText}${environment.archived ? ', archived (the gate refuses new releases to it)' : ''}`);
}
