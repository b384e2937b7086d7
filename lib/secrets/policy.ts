/**
 * The secrets access policy: path-based rules, separate from roles (docs/security-model.md). Roles decide who
 * may write secrets and see their status; this policy decides which *flow* may read which
 * secret, and it never looks at the actor's role, so an admin who starts a development flow still
 * cannot read a production secret.
 *
 * A flow is the work a read happens for:
 *   - purpose: `system` (the installation's own services: sign-in, storage, billing),
 *     `signing` (passport or license signatures), `connector` (a connector's poll or test),
 *     `gate` (a gate evaluation), `notification` (the worker delivering a notification: a webhook's
 *     signing secret, a Slack webhook URL);
 *   - environment: the slug of the environment the work runs for (the connector's environment,
 *     the evaluated release's environment), or null when it is not bound to one;
 *   - scope: installation-level, or inside one workspace.
 *
 * Rules are evaluated all together: a matching `deny` wins, else a matching `allow` grants, else
 * the read is denied (default deny). Patterns are `scheme:glob` over the reference: `*` matches
 * within one path segment, `**` any number of segments, and `{environment}` stands for the flow's
 * environment (so `store:{environment}/**` lets a staging flow read `store:staging/...` only).
 *
 * The operator configures rules in a JSON or YAML file named by RP_SECRETS_POLICY_FILE (a
 * host-level setting, out of reach of console admins); without it the defaults below apply.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { SecretError } from './errors';
import type { SecretReference } from './reference';

export const FLOW_PURPOSES = ['system', 'signing', 'connector', 'gate', 'notification'] as const;
export type FlowPurpose = (typeof FLOW_PURPOSES)[number];

export interface SecretFlow {
  purpose: FlowPurpose;
  /** Environment slug the work runs for, or null. */
  environment: string | null;
}

const patternSchema = z
  .string()
  .regex(/^(env|file|store|vault):\S+$/, 'a pattern is scheme:glob, e.g. store:production/**, vault:kv/production/** or env:RP_CONNECTOR_*');

export const secretRuleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'rule ids are lowercase letters, digits and "-"'),
  description: z.string().max(300).optional(),
  effect: z.enum(['allow', 'deny']).default('allow'),
  /** Where the read happens. */
  scope: z.enum(['installation', 'workspace']),
  /** Workspace ids or slugs the rule is limited to (workspace scope only); absent means every workspace. */
  workspaces: z.array(z.string().min(1)).optional(),
  paths: z.array(patternSchema).min(1),
  /** Flow purposes the rule applies to; absent means every purpose. */
  purposes: z.array(z.enum(FLOW_PURPOSES)).optional(),
  /** Flow environments the rule applies to; absent means any (including none). */
  environments: z.array(z.string().min(1)).optional(),
});

export const secretPolicySchema = z.object({
  /** Keep the default rules and add these (true), or replace them (false). */
  includeDefaults: z.boolean().default(true),
  rules: z.array(secretRuleSchema),
});

export type SecretRule = z.infer<typeof secretRuleSchema>;
export interface SecretPolicy {
  rules: SecretRule[];
  /** Where the rules came from, for the status page and the audit log. */
  origin: string;
}

export const DEFAULT_RULES: SecretRule[] = [
  {
    id: 'installation-services',
    description: "The installation's own services read installation-level secrets from any source.",
    effect: 'allow',
    scope: 'installation',
    paths: ['env:*', 'file:/**', 'store:**', 'vault:**'],
    purposes: ['system', 'signing'],
  },
  {
    id: 'environment-isolation',
    description: 'A connector or gate flow for an environment reads only that environment\'s secrets: store:<environment>/...',
    effect: 'allow',
    scope: 'workspace',
    paths: ['store:{environment}/**'],
    purposes: ['connector', 'gate'],
  },
  {
    id: 'workspace-shared',
    description: 'Secrets under store:shared/ serve every connector and gate flow of the workspace.',
    effect: 'allow',
    scope: 'workspace',
    paths: ['store:shared/**'],
    purposes: ['connector', 'gate'],
  },
  {
    id: 'workspace-signing-keys',
    description: "The workspace's passport signing keys (store:signing/...) are read only to sign.",
    effect: 'allow',
    scope: 'workspace',
    paths: ['store:signing/**'],
    purposes: ['signing'],
  },
  {
    id: 'workspace-notifications',
    description: "Notification endpoints' secrets (store:notifications/...: webhook signing secrets, Slack webhook URLs) are read only to deliver notifications.",
    effect: 'allow',
    scope: 'workspace',
    paths: ['store:notifications/**'],
    purposes: ['notification'],
  },
];

export const DEFAULT_POLICY: SecretPolicy = { rules: DEFAULT_RULES, origin: 'built-in defaults' };

/** Reads RP_SECRETS_POLICY_FILE (JSON or YAML); problems name the file and the rule. */
export function loadSecretPolicy(file: string | undefined): SecretPolicy {
  if (!file) return DEFAULT_POLICY;
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SecretError('unreadable', `The secrets policy ${file} cannot be read: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = secretPolicySchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SecretError('invalid-reference', `The secrets policy ${file} is not valid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const ids = new Set<string>();
  for (const rule of result.data.rules) {
    if (ids.has(rule.id) || (result.data.includeDefaults && DEFAULT_RULES.some((d) => d.id === rule.id))) {
      throw new SecretError('invalid-reference', `The secrets policy ${file} has two rules with id "${rule.id}".`);
    }
    ids.add(rule.id);
  }
  return {
    rules: [...(result.data.includeDefaults ? DEFAULT_RULES : []), ...result.data.rules],
    origin: result.data.includeDefaults ? `${file} (with the built-in defaults)` : file,
  };
}

export interface PolicyRequest {
  reference: SecretReference;
  flow: SecretFlow;
  /** Null for an installation-level read. */
  workspace: { id: string; slug?: string } | null;
}

export interface PolicyDecision {
  allowed: boolean;
  /** The rule that decided, or null for the default deny. */
  ruleId: string | null;
  reason: string;
}

export function evaluateSecretPolicy(policy: SecretPolicy, request: PolicyRequest): PolicyDecision {
  const matching = policy.rules.filter((rule) => ruleMatches(rule, request));
  const deny = matching.find((rule) => rule.effect === 'deny');
  if (deny) return { allowed: false, ruleId: deny.id, reason: `rule "${deny.id}" denies it` };
  const allow = matching.find((rule) => rule.effect === 'allow');
  if (allow) return { allowed: true, ruleId: allow.id, reason: `rule "${allow.id}" allows it` };
  const env = request.flow.environment ? ` for environment "${request.flow.environment}"` : ' bound to no environment';
  return {
    allowed: false,
    ruleId: null,
    reason: `no rule of the secrets policy lets a ${request.flow.purpose} flow${env} read it`,
  };
}

function ruleMatches(rule: SecretRule, request: PolicyRequest): boolean {
  const { flow, workspace, reference } = request;
  if (rule.scope !== (workspace ? 'workspace' : 'installation')) return false;
  if (rule.workspaces && !(workspace && rule.workspaces.some((w) => w === workspace.id || w === workspace.slug))) return false;
  if (rule.purposes && !rule.purposes.includes(flow.purpose)) return false;
  if (rule.environments && !(flow.environment && rule.environments.includes(flow.environment))) return false;
  // Vault fields are matched as path#field, so a rule can grant one field of a secret.
  const body = reference.scheme === 'env' ? reference.name : reference.scheme === 'vault' ? `${reference.path}#${reference.field}` : reference.path;
  return rule.paths.some((pattern) => {
    const colon = pattern.indexOf(':');
    if (pattern.slice(0, colon) !== reference.scheme) return false;
    let glob = pattern.slice(colon + 1);
    if (glob.includes('{environment}')) {
      // An environment that is not a plain slug never fills the placeholder (no glob injection).
      if (!flow.environment || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flow.environment)) return false;
      glob = glob.replaceAll('{environment}', flow.environment);
    }
    return globMatches(glob, body);
  });
}

/**
 * `*` is any run of characters within one `/`-separated segment, a `**` segment any number of
 * segments (zero included); everything else is literal. Written here rather than taken from a
 * glob library because those also expand braces and classes, which would clash with the
 * `{environment}` placeholder and widen what an operator's rule grants.
 */
export function globMatches(glob: string, text: string): boolean {
  let pattern = '';
  const segments = glob.split('/');
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      pattern += last ? '.*' : '(?:[^/]*/)*';
      return;
    }
    pattern += segment.split('*').map(escapeRegExp).join('[^/]*') + (last ? '' : '/');
  });
  return new RegExp(`^${pattern}$`).test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
